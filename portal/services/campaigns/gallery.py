"""Reading the public gallery: published campaigns filtered, counted per area and paged.

Whatever the number of campaigns, a gallery page costs the same three queries: the
editions (for the filter), the counts per Municipio and NIL (which also give the total),
and the page of campaigns. A campaign's state is computed in SQL from the clock, exactly
by `Campaign.in_state`, the SQL twin of `Campaign.state`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.sql.elements import ColumnElement

from portal.clock import ROME
from portal.domain.campaign import FULL_BASIS_POINTS, CampaignState, Progress, days_left, progress
from portal.domain.gallery import PER_PAGE, Filters, Sort, page_count
from portal.extensions import db
from portal.models import Campaign, Edition
from portal.services.places.neighbourhoods import Nil, nil_or_none


@dataclass(frozen=True)
class Card:
    """What a gallery card shows about one campaign."""

    campaign: Campaign
    year: int
    state: CampaignState
    progress: Progress  # confirmed share of the citizens' target
    days_left: int
    nil: Nil | None

    @property
    def percent(self) -> int:
        return self.progress.basis_points // 100

    @property
    def bar_percent(self) -> int:
        return self.progress.bar_basis_points // 100

    @property
    def is_open(self) -> bool:
        return self.state.is_open


@dataclass(frozen=True)
class Counts:
    """Published campaigns matching every filter but the place, per Municipio and per (Municipio, NIL)."""

    by_area: dict[tuple[int | None, int | None], int] = field(default_factory=dict)

    def municipio(self, number: int) -> int:
        return sum(n for (m, _), n in self.by_area.items() if m == number)

    def nil(self, municipio: int, nil_id: int) -> int:
        return self.by_area.get((municipio, nil_id), 0)

    def nil_ids_in(self, municipio: int) -> set[int]:
        return {nil for (m, nil) in self.by_area if m == municipio and nil is not None}

    def matching(self, municipio: int | None, nil_id: int | None) -> int:
        return sum(
            n
            for (m, nil), n in self.by_area.items()
            if (municipio is None or m == municipio) and (nil_id is None or nil == nil_id)
        )


@dataclass(frozen=True)
class GalleryPage:
    cards: list[Card]
    total: int
    page: int
    pages: int
    counts: Counts
    page_out_of_range: bool  # the page asked for was past the last: the last one is shown


def edition_years() -> list[int]:
    """The published editions, newest first."""
    return list(db.session.scalars(sa.select(Edition.year).where(Edition.is_published).order_by(Edition.year.desc())))


def _conditions(filters: Filters, now: datetime, *, with_place: bool) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Campaign.is_public(now)]
    if filters.edition is not None:
        conditions.append(Edition.year == filters.edition)
    if filters.theme is not None:
        conditions.append(Campaign.theme == filters.theme)
    if filters.state is not None:
        conditions.append(Campaign.in_state(filters.state, now))
    if filters.text:
        # lower() on both sides: case-insensitive on SQLite and PostgreSQL alike; % and _ are literal.
        needle = filters.text.lower()
        conditions.append(
            sa.or_(
                *(
                    sa.func.lower(column).contains(needle, autoescape=True)
                    for column in (Campaign.title, Campaign.organisation_name, Campaign.summary)
                )
            )
        )
    if with_place and filters.municipio is not None:
        conditions.append(Campaign.municipio == filters.municipio)
    if with_place and filters.nil is not None:
        conditions.append(Campaign.nil_id == filters.nil)
    return conditions


def _order(sort: Sort, now: datetime) -> tuple:
    open_ = sa.and_(Campaign.starts_at <= now, Campaign.ends_at > now)
    if sort is Sort.CLOSING:
        # Open campaigns by their end, then the upcoming ones, then those ended (latest first).
        bucket = sa.case((open_, 0), (Campaign.starts_at > now, 1), else_=2)
        return bucket, sa.case((bucket < 2, Campaign.ends_at)), Campaign.ends_at.desc(), Campaign.id
    if sort is Sort.SUPPORTED:
        return Campaign.supporters.desc(), Campaign.confirmed_cents.desc(), Campaign.id.desc()
    if sort is Sort.NEAREST:
        # Live campaigns still short of the target, nearest first; then the others.
        short = sa.and_(open_, Campaign.grant_committed_at.is_(None), Campaign.confirmed_cents < Campaign.target_cents)
        share = Campaign.confirmed_cents * 10_000 / sa.func.nullif(Campaign.target_cents, 0)
        return sa.case((short, 0), else_=1), share.desc(), Campaign.id.desc()
    # Newest: the latest to start first; campaigns not started yet come after, the soonest first.
    upcoming = Campaign.starts_at > now
    return (
        sa.case((upcoming, 1), else_=0),
        sa.case((~upcoming, Campaign.starts_at)).desc(),
        Campaign.starts_at,
        Campaign.published_at.desc(),
        Campaign.id.desc(),
    )


def counts(filters: Filters, now: datetime) -> Counts:
    """One grouped query: the campaigns matching every filter but the place, per (Municipio, NIL)."""
    rows = db.session.execute(
        sa.select(Campaign.municipio, Campaign.nil_id, sa.func.count())
        .join(Edition, Edition.id == Campaign.edition_id)
        .where(*_conditions(filters, now, with_place=False))
        .group_by(Campaign.municipio, Campaign.nil_id)
    ).all()
    by_area: dict[tuple[int | None, int | None], int] = defaultdict(int)
    for municipio, nil_id, number in rows:
        by_area[(municipio, nil_id)] += number
    return Counts(dict(by_area))


def gallery(filters: Filters, now: datetime, per_page: int = PER_PAGE) -> GalleryPage:
    """The page of published campaigns the filters ask for, with the counts for the map."""
    area_counts = counts(filters, now)
    total = area_counts.matching(filters.municipio, filters.nil)
    pages = page_count(total, per_page)
    page = min(filters.page, pages)
    rows = db.session.execute(
        sa.select(Campaign, Edition.year)
        .join(Edition, Edition.id == Campaign.edition_id)
        .options(orm.defer(Campaign.story, raiseload=True))  # the cards never show the story
        .where(*_conditions(filters, now, with_place=True))
        .order_by(*_order(filters.sort, now))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    cards = [_card(campaign, year, now) for campaign, year in rows]
    return GalleryPage(cards, total, page, pages, area_counts, page_out_of_range=filters.page > pages)


def _card(campaign: Campaign, year: int, now: datetime) -> Card:
    return Card(
        campaign=campaign,
        year=year,
        state=campaign.state(now),
        progress=(
            progress(campaign.confirmed_cents, campaign.target_cents)
            if campaign.target_cents > 0
            else Progress(FULL_BASIS_POINTS)  # nothing to raise
        ),
        days_left=days_left(campaign.ends_at, now, ROME),
        nil=nil_or_none(campaign.nil_id),
    )
