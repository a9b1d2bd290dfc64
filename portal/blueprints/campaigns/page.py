"""A campaign's public page: the story, the figures, the Comune's grant, rewards, updates, supporters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort, render_template

from portal import link_previews
from portal.blueprints.campaigns import bp, presentation
from portal.clock import now
from portal.domain.campaign import CampaignState
from portal.domain.funding import MoneyPicture, money_of
from portal.domain.pledge import PAID_STATUSES
from portal.extensions import db
from portal.i18n import current_lang
from portal.models import Campaign, CampaignPhoto, CampaignReward, CampaignUpdate, Pledge
from portal.models.types import UTCDateTime
from portal.rendering import kept_page
from portal.rich_text import sanitise
from portal.services import data_version
from portal.services.aftercare import milestones as aftercare
from portal.services.aftercare import spending
from portal.services.campaigns import public
from portal.urls import absolute_url

SUPPORTERS_SHOWN = 50  # the paid pledges (`PledgeStatus.is_paid`), latest first


@bp.app_template_filter("rich_text")
def rich_text(text: str | None):
    """Formatted text of an organisation, sanitised (portal.rich_text)."""
    return sanitise(text)


@bp.app_template_global("campaign_money")
def campaign_money(campaign: Campaign, state: CampaignState | None = None) -> MoneyPicture:
    """A campaign's money for a template (the gallery card): `portal.domain.funding.money_of`, in
    the state given or the campaign's own now."""
    return money_of(campaign, state if state is not None else campaign.state(now()))


def published_campaign(slug: str, *, with_content: bool = False) -> Campaign:
    """The public campaign with this address (`services/campaigns/public.py`), or 404."""
    return public.public_campaign(slug, now(), with_content=with_content) or abort(404)


@dataclass(frozen=True)
class Reward:
    id: int
    title: str
    description: str
    min_pledge_cents: int
    quantity: int | None
    claimed: int

    left = CampaignReward.left  # the reward's own rule


@dataclass(frozen=True)
class Update:
    id: int
    title: str
    body: str
    posted_at: datetime


@dataclass(frozen=True)
class Supporter:
    name: str | None
    message: str | None


@dataclass(frozen=True)
class Photo:
    """What the page shows of a `CampaignPhoto`: its variants come from `key` and `width`
    (portal.domain.photos)."""

    key: str
    alt_text: str
    caption: str | None
    width: int
    height: int
    update_id: int | None


@dataclass(frozen=True)
class PageLists:
    rewards: list[Reward]  # by position
    updates: list[Update]  # the latest first
    supporters: list[Supporter]  # the latest paid pledges (`PledgeStatus.is_paid`), the latest first
    photos: list[Photo]  # the campaign's own (cover included), by position
    update_photos: dict[int, list[Photo]]  # each update's, by position


_REWARD, _UPDATE, _SUPPORTER, _PHOTO = 0, 1, 2, 3


def page_lists(campaign_id: int) -> PageLists:
    """The campaign's rewards, its updates, its latest supporters and its photos (its own and its
    updates') in one query, each part read from its own index: the supporters from
    ix_pledge_campaign_confirmed (campaign, confirmation time), the latest first, so the page costs
    the same whatever the number of pledges; the photos from ix_campaign_photo_campaign_position."""
    none = sa.null()
    rewards = sa.select(
        sa.literal(_REWARD).label("kind"),
        CampaignReward.id.label("id"),
        CampaignReward.position.label("rank"),
        CampaignReward.title.label("title"),
        CampaignReward.description.label("text"),
        CampaignReward.min_pledge_cents.label("cents"),
        CampaignReward.quantity.label("quantity"),
        CampaignReward.claimed.label("claimed"),
        sa.cast(none, UTCDateTime).label("at"),
        sa.cast(none, sa.String).label("key"),
    ).where(CampaignReward.campaign_id == campaign_id)
    updates = sa.select(
        sa.literal(_UPDATE), CampaignUpdate.id, none, CampaignUpdate.title, CampaignUpdate.body,
        none, none, none, CampaignUpdate.posted_at, none,
    ).where(CampaignUpdate.campaign_id == campaign_id)  # fmt: skip
    latest = (
        sa.select(Pledge.id, Pledge.name, Pledge.message, Pledge.confirmed_at)
        .where(
            Pledge.campaign_id == campaign_id,
            Pledge.confirmed_at.is_not(None),  # every paid pledge has one: the partial index applies
            Pledge.status.in_(PAID_STATUSES),
        )
        .order_by(Pledge.confirmed_at.desc(), Pledge.id.desc())
        .limit(SUPPORTERS_SHOWN)
        .subquery()
    )
    supporters = sa.select(
        sa.literal(_SUPPORTER), latest.c.id, none, latest.c.name, latest.c.message,
        none, none, none, latest.c.confirmed_at, none,
    )  # fmt: skip
    # rank: the position; cents, quantity: the size of the largest variant; claimed: the update.
    photos = sa.select(
        sa.literal(_PHOTO), CampaignPhoto.id, CampaignPhoto.position, CampaignPhoto.alt_text,
        CampaignPhoto.caption, CampaignPhoto.width, CampaignPhoto.height, CampaignPhoto.update_id,
        none, CampaignPhoto.key,
    ).where(CampaignPhoto.campaign_id == campaign_id)  # fmt: skip
    rows = db.session.execute(sa.union_all(rewards, updates, supporters, photos)).all()

    def of(kind: int) -> list:
        parts = [row for row in rows if row.kind == kind]
        if kind in (_REWARD, _PHOTO):
            return sorted(parts, key=lambda row: (row.rank, row.id))
        return sorted(parts, key=lambda row: (row.at, row.id), reverse=True)

    every_photo = [Photo(r.key, r.title, r.text, r.cents, r.quantity, r.claimed) for r in of(_PHOTO)]
    update_photos: dict[int, list[Photo]] = {}
    for photo in every_photo:
        if photo.update_id is not None:
            update_photos.setdefault(photo.update_id, []).append(photo)
    return PageLists(
        rewards=[Reward(r.id, r.title, r.text, r.cents, r.quantity, r.claimed) for r in of(_REWARD)],
        updates=[Update(r.id, r.title, r.text, r.at) for r in of(_UPDATE)],
        supporters=[Supporter(r.title, r.text) for r in of(_SUPPORTER)],
        photos=[photo for photo in every_photo if photo.update_id is None],
        update_photos=update_photos,
    )


@bp.get("/progetti/<slug>")
def detail(slug: str):
    # The page's own parts are kept per data version: no query, no rendering but the layout's.
    return kept_page(DETAIL, f"campaign.{slug}", lambda: page_context(published_campaign(slug)))


def campaign_page(campaign: Campaign, *, preview: bool = False) -> str:
    """The campaign's page. `preview`: as the private preview link shows it before it is public
    (blueprints/campaigns/preview.py): a banner says so, and nothing of what only a public page
    offers (pledging, following, sharing, the link preview's tags, the structured data)."""
    return render_template(DETAIL, **page_context(campaign, preview=preview))


DETAIL = "campaigns/detail.html"


def page_context(campaign: Campaign, *, preview: bool = False) -> dict:
    """What the campaign's page shows (`campaign_page`)."""
    # The lists change only with the data: read once per data version (frozen records, no rows).
    lists = data_version.memo(f"campaign.lists.{campaign.id}", lambda: page_lists(campaign.id))
    nil = presentation.neighbourhood(campaign)
    figures = presentation.figures(campaign, now())
    context = {}
    if not preview:
        page_url = absolute_url("campaigns.detail", slug=campaign.slug, lang=current_lang())
        link_preview = link_previews.campaign_preview(campaign, figures.money, page_url)
        image_url = link_preview.image_url  # the 1200×630 PNG of portal.link_previews
        context = dict(
            page_url=page_url,
            image_url=image_url,
            link_preview=link_preview,
            share_links=presentation.share_links(campaign, page_url),
            share_text=presentation.share_text(campaign),
            structured_data=presentation.structured_data(campaign, page_url, image_url, nil, figures.is_open),
        )
    return dict(
        campaign=campaign,
        edition=campaign.edition,
        nil=nil,
        theme=presentation.theme_label(campaign),
        figures=figures,
        rewards=lists.rewards,
        updates=lists.updates,
        supporters=lists.supporters,
        photos=[photo for photo in lists.photos if photo.key != campaign.image_file],  # the cover is on top
        update_photos=lists.update_photos,
        video=presentation.video_of(campaign),
        estimates=presentation.estimate_labels(campaign),
        # "Dopo la raccolta", for a funded project: its milestones and indicators, read once per
        # data version (no query on the page's own path, see `aftercare.after_campaign`).
        after_campaign=aftercare.after_campaign(campaign, now()) if figures.state.has_succeeded else None,
        spending_totals=spending.public_totals(campaign) if figures.state.has_succeeded else None,
        preview=preview,
        **context,
    )
