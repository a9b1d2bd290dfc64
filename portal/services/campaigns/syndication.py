"""What the Atom feed and the sitemap list: public campaigns, their updates and the public pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Campaign, CampaignUpdate, Edition, Event

FEED_SIZE = 50

# Public pages, the same in every language: (endpoint, URL values). Applicants' and staff
# areas, sign-in pages and every token URL stay out.
STATIC_PAGES: tuple[tuple[str, dict], ...] = (
    ("pages.home", {}),
    ("call.eligibility", {}),
    ("call.info_session", {}),
    ("courses.calendar_page", {}),
    ("courses.register", {}),
    ("campaigns.gallery", {}),
    ("transparency.opendata_page", {}),
    ("pages.accessibility", {}),
    ("pages.privacy", {}),
    ("pages.legal", {}),
    ("pages.cookies", {}),
    ("pages.contacts", {}),
)


@dataclass(frozen=True)
class FeedItem:
    at: datetime
    campaign: Campaign
    update: CampaignUpdate | None  # None: the campaign's publication


def feed_items(now: datetime, limit: int = FEED_SIZE) -> list[FeedItem]:
    """New campaigns and their updates, newest first (two queries)."""
    campaigns = db.session.scalars(
        sa.select(Campaign)
        .where(Campaign.is_public(now))
        .order_by(Campaign.published_at.desc(), Campaign.id.desc())
        .limit(limit)
    ).all()
    updates = db.session.execute(
        sa.select(CampaignUpdate, Campaign)
        .join(Campaign, Campaign.id == CampaignUpdate.campaign_id)
        .where(Campaign.is_public(now), CampaignUpdate.posted_at <= now)
        .order_by(CampaignUpdate.posted_at.desc(), CampaignUpdate.id.desc())
        .limit(limit)
    ).all()
    items = [FeedItem(c.published_at, c, None) for c in campaigns]
    items += [FeedItem(u.posted_at, c, u) for u, c in updates]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def sitemap_pages(now: datetime) -> list[tuple[str, dict, datetime | None]]:
    """(endpoint, URL values, last modified) of every public page, language left to the caller."""
    pages: list[tuple[str, dict, datetime | None]] = [(endpoint, values, None) for endpoint, values in STATIC_PAGES]
    years = db.session.scalars(sa.select(Edition.year).filter_by(is_published=True).order_by(Edition.year)).all()
    for year in years:
        pages.append(("call.edition", {"year": year}, None))
        pages.append(("transparency.tracker", {"year": year}, None))
    slugs = db.session.scalars(
        sa.select(Event.slug)
        .join(Edition, Edition.id == Event.edition_id)
        .where(Edition.is_published.is_(True))
        .order_by(Event.starts_at)
    ).all()
    pages += [("call.event", {"slug": slug}, None) for slug in slugs]
    campaigns = db.session.execute(
        sa.select(Campaign.slug, Campaign.published_at)
        .where(Campaign.is_public(now))
        .order_by(Campaign.published_at, Campaign.slug)
    ).all()
    pages += [("campaigns.detail", {"slug": slug}, published_at) for slug, published_at in campaigns]
    return pages
