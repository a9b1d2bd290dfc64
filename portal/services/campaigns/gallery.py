"""Reading the public gallery: published campaigns filtered, counted per area and paged.

Whatever the number of campaigns, a gallery page costs the same queries: the counts per Municipio,
NIL and state (which also give the total and the size of each part of the order), kept per data
version (`portal.services.data_version.memo`), and the page of campaigns, read from the index of
each part's order. The editions for the filter are kept the same way. A campaign's state is
computed in SQL from the clock, exactly by `Campaign.in_state`, the SQL twin of `Campaign.state`.

Featured campaigns (`portal.domain.gallery.in_spotlight`: featured and live) lead the default order
and are marked on their card. The counts' one query also names them (a featured campaign is a group
of its own, so a handful of rows more), so the page reads them by primary key in its same one
query: no query more, and no index on `featured_at` needed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.sql.elements import ColumnElement

from portal.clock import ROME
from portal.domain.campaign import FULL_BASIS_POINTS, CampaignState, Progress, days_left, progress
from portal.domain.gallery import PER_PAGE, Filters, Sort, in_spotlight, page_count, page_slices
from portal.extensions import db
from portal.models import Campaign, Edition
from portal.services import data_version
from portal.services.editions.editions import published_editions
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
    featured: bool = False  # shown first, marked "In evidenza" (`in_spotlight`)

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
    """Published campaigns matching every filter but the place, per Municipio, NIL and state.

    Read once per data version; the sums the page asks for (per Municipio, per NIL, per part of the
    order) are added up once, when the counts are read, not for every area of the map."""

    by_area: dict[tuple[int | None, int | None, CampaignState], int] = field(default_factory=dict)
    # The campaigns in the spotlight (`in_spotlight`), as (Municipio, NIL, id): a handful.
    spotlit: tuple[tuple[int | None, int | None, int], ...] = ()
    # Per (Municipio or None for any, NIL or None for any, state): every sum a page asks for.
    _sums: dict[tuple[int | None, int | None, CampaignState], int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sums: dict[tuple[int | None, int | None, CampaignState], int] = defaultdict(int)
        for (m, nil, state), n in self.by_area.items():
            for key in {(m, nil, state), (m, None, state), (None, nil, state), (None, None, state)}:
                sums[key] += n
        object.__setattr__(self, "_sums", dict(sums))

    def municipio(self, number: int) -> int:
        return self.matching(number, None)

    def nil(self, municipio: int, nil_id: int) -> int:
        return self.matching(municipio, nil_id)

    def nil_ids_in(self, municipio: int) -> set[int]:
        return {nil for (m, nil, _) in self.by_area if m == municipio and nil is not None}

    def matching(
        self, municipio: int | None, nil_id: int | None, *, states: frozenset[CampaignState] | None = None
    ) -> int:
        return sum(self._sums.get((municipio, nil_id, state), 0) for state in states or CampaignState)

    def spotlit_ids(self, municipio: int | None, nil_id: int | None) -> tuple[int, ...]:
        """The featured live campaigns in the place asked for (None: anywhere)."""
        return tuple(
            sorted(
                campaign_id for m, nil, campaign_id in self.spotlit if municipio in (None, m) and nil_id in (None, nil)
            )
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
    """The published editions, newest first (read once per data version, with the layout's)."""
    return [edition.year for edition in published_editions()]


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


@dataclass(frozen=True)
class _Phase:
    """A part of the gallery's order: the campaigns in `states`, which `where` selects from stored
    columns an index serves, in the order `order` gives on the campaign's columns (the model, or an
    alias of it for a subquery)."""

    states: frozenset[CampaignState]
    where: ColumnElement[bool]
    order: Callable[[Any], tuple]
    less: int = 0  # campaigns of `states` another part shows (the featured ones, shown first)
    size: int | None = None  # how many, when the counts per state do not say (the featured part)

    def rows_in(self, counts: Counts, municipio: int | None, nil_id: int | None) -> int:
        if self.size is not None:
            return self.size
        return counts.matching(municipio, nil_id, states=self.states) - self.less


_OPEN = frozenset({CampaignState.LIVE, CampaignState.COFUNDED})
_UPCOMING = frozenset({CampaignState.UPCOMING})
_ENDED = frozenset({CampaignState.SUCCEEDED, CampaignState.NOT_FUNDED})


def featured_order(c) -> tuple:
    """Among the featured campaigns, the latest featured first."""
    return (c.featured_at.desc(), c.id.desc())


def _phases(sort: Sort, now: datetime, spotlit: tuple[int, ...] = ()) -> list[_Phase]:
    """The parts of the order; in the default one, the featured live campaigns (`spotlit`, ids the
    counts found) first, read by primary key, and the other open ones after them."""
    phases = _sorted_phases(sort, now)
    if not spotlit or not sort.puts_featured_first:
        return phases
    featured = _Phase(_OPEN, Campaign.id.in_(spotlit), featured_order, size=len(spotlit))
    open_ = phases[0]  # the default order's open part: every open campaign, the featured ones too
    rest = replace(open_, where=sa.and_(open_.where, Campaign.id.not_in(spotlit)), less=len(spotlit))
    return [featured, rest, *phases[1:]]


def _sorted_phases(sort: Sort, now: datetime) -> list[_Phase]:
    """The gallery in parts, each ordered by stored columns: open campaigns (taking pledges), then
    upcoming ones, then those ended; the sort orders each part (and "più vicine alla soglia" puts
    the open campaigns still short of the citizens' target before those that reached it).

    Each part is sorted by a bare column — `starts_at`, `ends_at`, `target_progress_bp`, all
    indexed — so a query for one part reads its rows from the index in order instead of sorting them."""
    open_ = sa.and_(Campaign.starts_at <= now, Campaign.ends_at > now)
    upcoming = Campaign.starts_at > now
    ended = Campaign.ends_at <= now
    if sort is Sort.CLOSING:
        soonest = lambda c: (c.ends_at, c.id)  # noqa: E731
        return [
            _Phase(_OPEN, open_, soonest),
            _Phase(_UPCOMING, upcoming, soonest),
            _Phase(_ENDED, ended, lambda c: (c.ends_at.desc(), c.id.desc())),
        ]
    if sort is Sort.NEAREST:
        nearest = lambda c: (c.target_progress_bp.desc(), c.id.desc())  # noqa: E731
        return [
            _Phase(frozenset({CampaignState.LIVE}), Campaign.in_state(CampaignState.LIVE, now), nearest),
            _Phase(frozenset({CampaignState.COFUNDED}), Campaign.in_state(CampaignState.COFUNDED, now), nearest),
            _Phase(_UPCOMING, upcoming, lambda c: (c.starts_at, c.id)),
            _Phase(_ENDED, ended, nearest),
        ]
    if sort is Sort.SUPPORTED:
        most = lambda c: (c.supporters.desc(), c.confirmed_cents.desc(), c.id.desc())  # noqa: E731
        return [_Phase(_OPEN, open_, most), _Phase(_UPCOMING, upcoming, most), _Phase(_ENDED, ended, most)]
    # Newest: the latest to start first; among those not started yet, the soonest first.
    latest = lambda c: (c.starts_at.desc(), c.published_at.desc(), c.id.desc())  # noqa: E731
    return [
        _Phase(_OPEN, open_, latest),
        _Phase(_UPCOMING, upcoming, lambda c: (c.starts_at, c.published_at.desc(), c.id.desc())),
        _Phase(_ENDED, ended, latest),
    ]


def state_in_sql(now: datetime) -> ColumnElement[str]:
    """A campaign's state at `now` (its value), by `Campaign.in_state`: the states cover every campaign."""
    return sa.case(*((Campaign.in_state(state, now), state.value) for state in CampaignState), else_=sa.null())


def counts(filters: Filters, now: datetime) -> Counts:
    """The campaigns matching every filter but the place, per (Municipio, NIL) and state: one
    grouped query, read once per data version for each combination of those filters (the version
    changes with every change to the data and whenever a campaign opens, closes or goes public).
    A text search is not kept: there are too many of them, each read once."""
    key = replace(filters, municipio=None, nil=None, sort=Sort.NEWEST, page=1, ignored=())
    if filters.text:
        return _counts(key, now)
    return data_version.memo(f"gallery.counts.{key!r}", lambda: _counts(key, now))


def _counts(filters: Filters, now: datetime) -> Counts:
    state = state_in_sql(now).label("state")
    # A featured campaign is a group of its own (its id); all the others share the group None.
    featured = sa.case((Campaign.featured_at.is_not(None), Campaign.id), else_=sa.null()).label("featured")
    rows = db.session.execute(
        sa.select(Campaign.municipio, Campaign.nil_id, state, featured, sa.func.count())
        .join(Edition, Edition.id == Campaign.edition_id)
        .where(*_conditions(filters, now, with_place=False))
        .group_by(Campaign.municipio, Campaign.nil_id, state, featured)
    ).all()
    by_area: dict[tuple[int | None, int | None, CampaignState], int] = defaultdict(int)
    spotlit = []
    for municipio, nil_id, value, featured_id, count in rows:
        by_area[(municipio, nil_id, CampaignState(value))] += count
        if in_spotlight(featured_id is not None, CampaignState(value)):
            spotlit.append((municipio, nil_id, featured_id))
    return Counts(dict(by_area), tuple(spotlit))


def gallery(filters: Filters, now: datetime, per_page: int = PER_PAGE) -> GalleryPage:
    """The page of published campaigns the filters ask for, with the counts for the map: read once
    per data version for each combination of filters, like the counts (a card's state and days left
    change only at the version's boundaries); a text search is read each time."""
    if filters.text:
        return _gallery(filters, now, per_page)
    return data_version.memo(f"gallery.page.{filters!r}.{per_page}", lambda: _kept(_gallery(filters, now, per_page)))


def _kept(page: GalleryPage) -> GalleryPage:
    """The page's campaigns out of this request's session: read-only rows (the story never loaded)
    kept for the next requests of the same data version, never expired by a later commit."""
    for card in page.cards:
        if card.campaign in db.session:
            db.session.expunge(card.campaign)
    return page


def _gallery(filters: Filters, now: datetime, per_page: int) -> GalleryPage:
    """The page, read: the counts, then one query for the rows.

    One query reads the page: for each part of the order the page covers (known from the counts),
    its rows in the part's order, limited to the page (a subquery an index can serve); the parts are
    joined with UNION ALL and put in order by their number and the row's place in its part."""
    area_counts = counts(filters, now)
    total = area_counts.matching(filters.municipio, filters.nil)
    pages = page_count(total, per_page)
    page = min(filters.page, pages)
    phases = _phases(filters.sort, now, area_counts.spotlit_ids(filters.municipio, filters.nil))
    sizes = [phase.rows_in(area_counts, filters.municipio, filters.nil) for phase in phases]
    parts = []
    # An empty page still asks (an empty part): a page costs the same queries whatever it shows.
    for number, offset, limit in page_slices(sizes, page, per_page) or [(0, 0, per_page)]:
        phase = phases[number]
        rows = (
            sa.select(Campaign.__table__, Edition.year.label("edition_year"))
            .join(Edition, Edition.id == Campaign.edition_id)
            .where(*_conditions(filters, now, with_place=True), phase.where)
            .order_by(*phase.order(Campaign))
            .limit(limit)
            .offset(offset)
            .subquery()
        )
        placed = orm.aliased(Campaign, rows)
        position = sa.func.row_number().over(order_by=phase.order(placed))
        parts.append(sa.select(rows, sa.literal(number).label("phase"), position.label("position")))
    page_rows = (sa.union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    campaign = orm.aliased(Campaign, page_rows)
    result = db.session.execute(
        sa.select(campaign, page_rows.c.edition_year)
        .options(orm.defer(campaign.story, raiseload=True))  # the cards never show the story
        .order_by(page_rows.c.phase, page_rows.c.position)
    ).all()
    cards = [card_of(row, year, now) for row, year in result]
    return GalleryPage(cards, total, page, pages, area_counts, page_out_of_range=filters.page > pages)


def card_of(campaign: Campaign, year: int, now: datetime) -> Card:
    state = campaign.state(now)
    return Card(
        campaign=campaign,
        year=year,
        state=state,
        progress=(
            progress(campaign.confirmed_cents, campaign.target_cents)
            if campaign.target_cents > 0
            else Progress(FULL_BASIS_POINTS)  # nothing to raise
        ),
        days_left=days_left(campaign.ends_at, now, ROME),
        nil=nil_or_none(campaign.nil_id),
        featured=in_spotlight(campaign.featured_at is not None, state),
    )
