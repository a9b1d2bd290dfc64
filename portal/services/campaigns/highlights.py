"""The home page's campaigns and figures: what is featured, what citizens gave, what the Comune committed.

First the campaigns staff featured, while live (`portal.domain.gallery.in_spotlight`, as in the
gallery), the latest featured first; then those ending soonest and those closest to the citizens'
threshold, ordered in SQL from the stored columns an index serves (`ends_at`,
`target_progress_bp`). The count of the edition's campaigns names the featured ones (each its own
group), so they are read by primary key in the same query as those ending soonest: no query more.
The figures are the co-funding ledger's (`services.cofunding.ledger`), so the home page and the
public tracker always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from portal.domain.campaign import CampaignState
from portal.domain.gallery import in_spotlight
from portal.domain.phase import CampaignCounts
from portal.extensions import db
from portal.models import Campaign, Edition
from portal.services.campaigns.gallery import Card, card_of, featured_order, state_in_sql
from portal.services.cofunding.ledger import public_summary

FEATURED = 3  # cards in each group


@dataclass(frozen=True)
class Highlights:
    """What the home page shows of an edition's campaigns at a moment."""

    spotlight: list[Card]  # featured by staff and live, the latest featured first
    ending_soon: list[Card]  # open, the soonest to close first
    nearest: list[Card]  # short of the threshold, the closest first (none already ending soon)
    upcoming: list[Card]  # announced, the soonest to open first (shown while none is open)
    open_count: int
    raised_cents: int  # confirmed pledges of the public campaigns (the tracker's total)
    committed_cents: int  # the Comune's grants committed (the tracker's figure)
    succeeded_count: int  # campaigns that reached the threshold in time and are over
    over_count: int

    @property
    def featured(self) -> list[Card]:
        return self.spotlight + self.ending_soon + self.nearest


@dataclass(frozen=True)
class EditionCampaigns(CampaignCounts):
    """The counts, and which of the campaigns are in the spotlight (ids, a handful)."""

    spotlit: tuple[int, ...] = ()


def _public(edition: Edition, now: datetime) -> list:
    return [Campaign.edition_id == edition.id, Campaign.is_public(now)]


def campaign_counts(edition: Edition, now: datetime) -> EditionCampaigns:
    """The edition's public campaigns, upcoming, open and over, and those in the spotlight, in one
    query: per state, a featured campaign counted in a group of its own."""
    state = state_in_sql(now).label("state")
    featured = sa.case((Campaign.featured_at.is_not(None), Campaign.id), else_=sa.null()).label("featured")
    rows = db.session.execute(
        sa.select(state, featured, sa.func.count()).where(*_public(edition, now)).group_by(state, featured)
    ).all()
    by_state = {kind: 0 for kind in CampaignState}
    spotlit = []
    for value, featured_id, count in rows:
        kind = CampaignState(value)
        by_state[kind] += count
        if in_spotlight(featured_id is not None, kind):
            spotlit.append(featured_id)
    return EditionCampaigns(
        upcoming=sum(n for kind, n in by_state.items() if kind.is_upcoming),
        open=sum(n for kind, n in by_state.items() if kind.is_open),
        over=sum(n for kind, n in by_state.items() if kind.is_over),
        spotlit=tuple(sorted(spotlit)),
    )


def _parts(edition: Edition, now: datetime, parts: list[tuple[Any, Callable[[Any], tuple]]]) -> list[list[Card]]:
    """Several groups of cards in one query: each part (a condition, an order on the campaign's
    columns) limited in a subquery an index serves, joined with UNION ALL."""
    selects = []
    for number, (condition, order) in enumerate(parts):
        rows = (
            sa.select(Campaign.__table__)
            .where(*_public(edition, now), condition)
            .order_by(*order(Campaign))
            .limit(FEATURED)
            .subquery()
        )
        placed = orm.aliased(Campaign, rows)
        position = sa.func.row_number().over(order_by=order(placed))
        selects.append(sa.select(rows, sa.literal(number).label("part"), position.label("position")))
    union = sa.union_all(*selects).subquery()
    campaign = orm.aliased(Campaign, union)
    result = db.session.execute(
        sa.select(campaign, union.c.part)
        .options(orm.defer(campaign.story, raiseload=True))  # cards never show the story
        .order_by(union.c.part, union.c.position)
    ).all()
    cards: list[list[Card]] = [[] for _ in parts]
    for row, part in result:
        cards[part].append(card_of(row, edition.year, now))
    return cards


def _cards(edition: Edition, now: datetime, condition, order: tuple, exclude: set[int]) -> list[Card]:
    query = (
        sa.select(Campaign)
        .options(orm.defer(Campaign.story, raiseload=True))  # cards never show the story
        .where(*_public(edition, now), condition)
        .order_by(*order)
        .limit(FEATURED)
    )
    if exclude:
        query = query.where(Campaign.id.not_in(exclude))
    return [card_of(campaign, edition.year, now) for campaign in db.session.scalars(query)]


def highlights(edition: Edition, now: datetime, counts: CampaignCounts) -> Highlights:
    """The featured campaigns and the figures of the home page, at `now`."""
    open_ = sa.or_(Campaign.in_state(CampaignState.LIVE, now), Campaign.in_state(CampaignState.COFUNDED, now))
    spotlit = counts.spotlit if isinstance(counts, EditionCampaigns) else ()
    spotlight: list[Card] = []
    if spotlit:
        spotlight, ending = _parts(
            edition,
            now,
            [
                (Campaign.id.in_(spotlit), featured_order),
                (sa.and_(open_, Campaign.id.not_in(spotlit)), lambda c: (c.ends_at, c.id)),
            ],
        )
    else:
        ending = _cards(edition, now, open_, (Campaign.ends_at, Campaign.id), set())
    nearest = _cards(
        edition,
        now,
        Campaign.in_state(CampaignState.LIVE, now),
        (Campaign.target_progress_bp.desc(), Campaign.ends_at, Campaign.id),
        {card.campaign.id for card in (*spotlight, *ending)},
    )
    upcoming = []
    if not counts.open:
        upcoming = _cards(
            edition, now, Campaign.in_state(CampaignState.UPCOMING, now), (Campaign.starts_at, Campaign.id), set()
        )
    summary = public_summary(edition, now)  # added up by the database, kept per data version
    return Highlights(
        spotlight=spotlight,
        ending_soon=ending,
        nearest=nearest,
        upcoming=upcoming,
        open_count=counts.open,
        raised_cents=summary.raised_cents,
        committed_cents=summary.position.committed_cents,
        succeeded_count=sum(line.campaigns for line in summary.states if line.state.has_succeeded),
        over_count=counts.over,
    )
