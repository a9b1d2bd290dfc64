"""A campaign's public page: the story, the figures, the Comune's grant, rewards, updates, supporters."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, url_for
from sqlalchemy.orm import selectinload

from portal.blueprints.campaigns import bp, presentation
from portal.clock import now
from portal.domain.campaign import CampaignState
from portal.domain.funding import MoneyPicture, money_of
from portal.domain.pledge import PAID_STATUSES
from portal.extensions import db
from portal.i18n import current_lang
from portal.models import Campaign, Edition, Pledge
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
    """The published campaign with this address, or 404 (a draft, or one published later, is not public)."""
    query = sa.select(Campaign).where(Campaign.slug == slug[:120], Campaign.is_public(now()))
    if with_content:
        query = query.options(selectinload(Campaign.rewards), selectinload(Campaign.updates))
    return db.session.execute(query).scalar_one_or_none() or abort(404)


def recent_supporters(campaign_id: int) -> list[Pledge]:
    return list(
        db.session.scalars(
            sa.select(Pledge)
            .where(Pledge.campaign_id == campaign_id, Pledge.status.in_(PAID_STATUSES))
            .order_by(Pledge.confirmed_at.desc(), Pledge.id.desc())
            .limit(SUPPORTERS_SHOWN)
        )
    )


@bp.get("/progetti/<slug>")
def detail(slug: str):
    campaign = published_campaign(slug, with_content=True)
    edition = db.session.get(Edition, campaign.edition_id)
    nil = presentation.neighbourhood(campaign)
    page_url = absolute_url("campaigns.detail", slug=campaign.slug, lang=current_lang())
    image_url = presentation.site_url(url_for("static", filename=campaign.picture))
    figures = presentation.figures(campaign, now())
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        edition=edition,
        nil=nil,
        theme=presentation.theme_label(campaign),
        figures=figures,
        supporters=recent_supporters(campaign.id),
        estimates=presentation.estimate_labels(campaign),
        page_url=page_url,
        image_url=image_url,
        share_links=presentation.share_links(campaign, page_url),
        structured_data=presentation.structured_data(campaign, page_url, image_url, nil, figures.is_open),
    )
