"""What the Atom feed and the sitemap list: public campaigns, their updates and the public pages.

The sitemap is an index (sitemaps.org): one sitemap of the pages, and the campaigns in chunks by id
range, each read from the primary key whatever the number of campaigns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Campaign, CampaignUpdate, Edition, Event, EventKind
from portal.urls import absolute_url

FEED_SIZE = 50
# Campaign ids per sitemap of campaigns: two addresses each (one per language), far below the 50,000
# a sitemap may hold; a full chunk is about 1 MB, written in some 30 ms.
SITEMAP_CHUNK = 2_500

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
    """New campaigns and their updates, newest first (two queries, each read backwards from its index
    on the instant: ix_campaign_published_at, ix_campaign_update_posted_at)."""
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


def sitemap_pages() -> list[tuple[str, dict, datetime | None]]:
    """(endpoint, URL values, last modified) of every public page but the campaigns', language left
    to the caller."""
    pages: list[tuple[str, dict, datetime | None]] = [(endpoint, values, None) for endpoint, values in STATIC_PAGES]
    years = db.session.scalars(sa.select(Edition.year).filter_by(is_published=True).order_by(Edition.year)).all()
    for year in years:
        pages.append(("call.edition", {"year": year}, None))
        pages.append(("transparency.tracker", {"year": year}, None))
    slugs = db.session.scalars(
        sa.select(Event.slug)
        .join(Edition, Edition.id == Event.edition_id)
        .where(Edition.is_published.is_(True), Event.kind != EventKind.OFFICE_HOUR)
        .order_by(Event.starts_at)
    ).all()
    pages += [("call.event", {"slug": slug}, None) for slug in slugs]
    return pages


def campaign_chunks() -> range:
    """The numbers of the sitemaps of campaigns: chunk n holds the ids from n × SITEMAP_CHUNK (from the
    primary key's last entry: one row read). A chunk may turn out empty; an empty sitemap is valid."""
    last = db.session.scalar(sa.select(sa.func.max(Campaign.id))) or 0
    return range(last // SITEMAP_CHUNK + 1)


def campaigns_of_chunk(number: int, now: datetime) -> list[tuple[str, datetime]]:
    """(slug, published at) of the public campaigns of chunk `number`, by id: a range of the primary key."""
    return db.session.execute(
        sa.select(Campaign.slug, Campaign.published_at)
        .where(
            Campaign.id >= number * SITEMAP_CHUNK, Campaign.id < (number + 1) * SITEMAP_CHUNK, Campaign.is_public(now)
        )
        .order_by(Campaign.id)
    ).all()


PLAIN_SLUG = re.compile(r"[a-z0-9-]+\Z")


class CampaignAddress:
    """The absolute address of a campaign's page in `lang`, as `absolute_url` gives it, built once: a
    slug of plain letters, digits and hyphens (every slug the portal makes) needs no escaping, so its
    address is the same text with the slug in its place; any other slug goes through `absolute_url`."""

    PLACEHOLDER = "slug-placeholder-0"

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.before, _, self.after = absolute_url("campaigns.detail", lang=lang, slug=self.PLACEHOLDER).partition(
            self.PLACEHOLDER
        )

    def __call__(self, slug: str) -> str:
        if PLAIN_SLUG.match(slug):
            return self.before + slug + self.after
        return absolute_url("campaigns.detail", lang=self.lang, slug=slug)
