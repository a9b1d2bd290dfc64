"""The home page's campaigns and figures: what is featured, what citizens gave, what the Comune committed.

No one features campaigns by hand yet: the home page shows those ending soonest and those closest
to the citizens' threshold, ordered in SQL from the stored columns an index serves (`ends_at`,
`target_progress_bp`). The figures are the co-funding ledger's (`services.cofunding.ledger`), so
the home page and the public tracker always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from portal.domain.campaign import CampaignState
from portal.domain.phase import CampaignCounts
from portal.extensions import db
from portal.models import Campaign, Edition
from portal.services.campaigns.gallery import Card, card_of
from portal.services.cofunding.ledger import public_summary

FEATURED = 3  # cards in each group


@dataclass(frozen=True)
class Highlights:
    """What the home page shows of an edition's campaigns at a moment."""

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
        return self.ending_soon + self.nearest


def _public(edition: Edition, now: datetime) -> list:
    return [Campaign.edition_id == edition.id, Campaign.is_public(now)]


def campaign_counts(edition: Edition, now: datetime) -> CampaignCounts:
    """The edition's public campaigns, upcoming, open and over, in one query."""

    def count(condition) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    open_ = sa.or_(Campaign.in_state(CampaignState.LIVE, now), Campaign.in_state(CampaignState.COFUNDED, now))
    over = sa.or_(Campaign.in_state(CampaignState.SUCCEEDED, now), Campaign.in_state(CampaignState.NOT_FUNDED, now))
    upcoming, opened, ended = db.session.execute(
        sa.select(count(Campaign.in_state(CampaignState.UPCOMING, now)), count(open_), count(over)).where(
            *_public(edition, now)
        )
    ).one()
    return CampaignCounts(upcoming=int(upcoming), open=int(opened), over=int(ended))


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
    ending = _cards(edition, now, open_, (Campaign.ends_at, Campaign.id), set())
    nearest = _cards(
        edition,
        now,
        Campaign.in_state(CampaignState.LIVE, now),
        (Campaign.target_progress_bp.desc(), Campaign.ends_at, Campaign.id),
        {card.campaign.id for card in ending},
    )
    upcoming = []
    if not counts.open:
        upcoming = _cards(
            edition, now, Campaign.in_state(CampaignState.UPCOMING, now), (Campaign.starts_at, Campaign.id), set()
        )
    summary = public_summary(edition, now)  # added up by the database, kept per data version
    return Highlights(
        ending_soon=ending,
        nearest=nearest,
        upcoming=upcoming,
        open_count=counts.open,
        raised_cents=summary.raised_cents,
        committed_cents=summary.position.committed_cents,
        succeeded_count=sum(line.campaigns for line in summary.states if line.state.has_succeeded),
        over_count=counts.over,
    )
