"""A campaign's public page: the story, the figures, the Comune's grant, rewards, updates, supporters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import abort, render_template, url_for
from sqlalchemy import orm

from portal.blueprints.campaigns import bp, presentation
from portal.clock import now
from portal.domain.campaign import CampaignState
from portal.domain.funding import MoneyPicture, money_of
from portal.domain.pledge import PAID_STATUSES
from portal.extensions import db
from portal.i18n import current_lang
from portal.models import Campaign, CampaignReward, CampaignUpdate, Pledge
from portal.models.types import UTCDateTime
from portal.rich_text import sanitise
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
    """The published campaign with this address, or 404 (a draft, or one published later, is not public).

    Its edition comes in the same query; `with_content` also loads its rewards and updates."""
    query = (
        sa.select(Campaign)
        .join(Campaign.edition)
        .options(orm.contains_eager(Campaign.edition))
        .where(Campaign.slug == slug[:120], Campaign.is_public(now()))
    )
    if with_content:
        query = query.options(orm.selectinload(Campaign.rewards), orm.selectinload(Campaign.updates))
    return db.session.execute(query).scalar_one_or_none() or abort(404)


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
class PageLists:
    rewards: list[Reward]  # by position
    updates: list[Update]  # the latest first
    supporters: list[Supporter]  # the latest paid pledges (`PledgeStatus.is_paid`), the latest first


_REWARD, _UPDATE, _SUPPORTER = 0, 1, 2


def page_lists(campaign_id: int) -> PageLists:
    """The campaign's rewards, its updates and its latest supporters in one query, each part read
    from its own index: the supporters from ix_pledge_campaign_confirmed (campaign, confirmation
    time), the latest first, so the page costs the same whatever the number of pledges."""
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
    ).where(CampaignReward.campaign_id == campaign_id)
    updates = sa.select(
        sa.literal(_UPDATE), CampaignUpdate.id, none, CampaignUpdate.title, CampaignUpdate.body,
        none, none, none, CampaignUpdate.posted_at,
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
        none, none, none, latest.c.confirmed_at,
    )  # fmt: skip
    rows = db.session.execute(sa.union_all(rewards, updates, supporters)).all()

    def of(kind: int) -> list:
        parts = [row for row in rows if row.kind == kind]
        if kind == _REWARD:
            return sorted(parts, key=lambda row: (row.rank, row.id))
        return sorted(parts, key=lambda row: (row.at, row.id), reverse=True)

    return PageLists(
        rewards=[Reward(r.id, r.title, r.text, r.cents, r.quantity, r.claimed) for r in of(_REWARD)],
        updates=[Update(r.id, r.title, r.text, r.at) for r in of(_UPDATE)],
        supporters=[Supporter(r.title, r.text) for r in of(_SUPPORTER)],
    )


@bp.get("/progetti/<slug>")
def detail(slug: str):
    campaign = published_campaign(slug)
    lists = page_lists(campaign.id)
    nil = presentation.neighbourhood(campaign)
    page_url = absolute_url("campaigns.detail", slug=campaign.slug, lang=current_lang())
    image_url = presentation.site_url(url_for("static", filename=campaign.picture))
    figures = presentation.figures(campaign, now())
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        edition=campaign.edition,
        nil=nil,
        theme=presentation.theme_label(campaign),
        figures=figures,
        rewards=lists.rewards,
        updates=lists.updates,
        supporters=lists.supporters,
        estimates=presentation.estimate_labels(campaign),
        page_url=page_url,
        image_url=image_url,
        share_links=presentation.share_links(campaign, page_url),
        structured_data=presentation.structured_data(campaign, page_url, image_url, nil, figures.is_open),
    )
