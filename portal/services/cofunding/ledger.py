"""The co-funding ledger of an edition, read from the database at a given moment.

One place computes where the budget stands (`portal.domain.cofunding` has the rules, asked for one
campaign through `Campaign.share(now)` and in SQL through `Campaign.share_in_sql(now)`), so the
public tracker and the selection of projects in the back-office always agree.

- `summary_of`: the figures, per Municipio and per state, added up by the database in one query
  whatever the number of campaigns (the tracker, `used_cents` for the selection and the grant engine);
- `campaign_page`: one page of the public campaigns with their shares (the tracker's detail);
- `ledger_of`: every campaign of the edition read one by one (three queries, rows growing with the
  edition): the record-by-record reading the summary is checked against.

Beside each share, what of the committed grant is paid (the instalments recorded as paid,
`services/aftercare/instalments.py`: `paid_cents` over rows, `paid_in_sql` in the queries): paid is
part of committed, never more.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa

from portal.domain.application import ApplicationStatus
from portal.domain.campaign import CampaignState
from portal.domain.cofunding import BudgetPosition, Share, share_of, total
from portal.domain.funding import MoneyPicture, money_of
from portal.extensions import db
from portal.models import Application, Campaign, Edition
from portal.services import data_version
from portal.services.aftercare import instalments


@dataclass(frozen=True)
class CampaignLine:
    campaign: Campaign
    state: CampaignState
    share: Share
    paid_cents: int = 0  # of the committed grant, paid in instalments

    @property
    def money(self) -> MoneyPicture:
        """The campaign's money as every page tells it (portal.domain.funding)."""
        return money_of(self.campaign, self.state)


@dataclass(frozen=True)
class AreaLine:
    """A Municipio (None: not given) and the shares of its projects."""

    municipio: int | None
    projects: int
    share: Share
    paid_cents: int = 0


@dataclass(frozen=True)
class Ledger:
    edition: Edition
    at: datetime
    position: BudgetPosition
    campaigns: list[CampaignLine]  # published by `at`, in the order of the tracker's table
    not_public: Share  # selected projects whose campaign is not public yet
    not_public_count: int
    areas: list[AreaLine]  # by Municipio number, "not given" last
    paid_cents: int = 0  # of the committed grants, every campaign's

    @property
    def goal_cents(self) -> int:
        return sum(line.campaign.goal_cents for line in self.campaigns)

    @property
    def target_cents(self) -> int:
        return sum(line.campaign.target_cents for line in self.campaigns)

    @property
    def raised_cents(self) -> int:
        return sum(line.campaign.confirmed_cents for line in self.campaigns)

    @property
    def project_count(self) -> int:
        return len(self.campaigns) + self.not_public_count


def campaign_share(campaign: Campaign, now: datetime) -> Share:
    """A campaign's reserve: committed with its grant, released once its window ended without it."""
    return campaign.share(now)


def _campaigns(edition: Edition) -> list[Campaign]:
    """Fresh from the database: read under the edition's lock, the ledger counts what the transaction
    that held it before committed, even for a campaign this session loaded earlier."""
    return list(
        db.session.scalars(
            sa.select(Campaign)
            .where(Campaign.edition_id == edition.id)
            .order_by(Campaign.starts_at, Campaign.title)
            .execution_options(populate_existing=True)
        )
    )


def _selected_not_launched(edition: Edition) -> list[tuple[int | None, int]]:
    """(Municipio, reserve) of every selected project that has no campaign yet."""
    launched = sa.select(Campaign.id).where(Campaign.application_id == Application.id).exists()
    rows = db.session.execute(
        sa.select(Application.municipio, Application.reserved_cents).where(
            Application.edition_id == edition.id, Application.status == ApplicationStatus.SELECTED, ~launched
        )
    )
    return [(municipio, reserved or 0) for municipio, reserved in rows]


def ledger_of(edition: Edition, now: datetime) -> Ledger:
    """Where the edition's budget stands at `now`, per campaign and per Municipio."""
    lines: list[CampaignLine] = []
    hidden: list[Share] = []
    by_area: dict[int | None, list[Share]] = defaultdict(list)
    paid_by_area: dict[int | None, int] = defaultdict(int)
    paid_by_campaign = instalments.instalments_in(edition.id)
    for campaign in _campaigns(edition):
        share = campaign_share(campaign, now)
        paid = instalments.paid_cents(paid_by_campaign.get(campaign.id, ()), now)
        by_area[campaign.municipio].append(share)
        paid_by_area[campaign.municipio] += paid
        if campaign.is_public(now):
            lines.append(CampaignLine(campaign, campaign.state(now), share, paid))
        else:
            hidden.append(share)
    for municipio, reserve in _selected_not_launched(edition):
        share = share_of(reserve, None, window_ended=False)
        by_area[municipio].append(share)
        hidden.append(share)
    everything = total(line.share for line in lines) + total(hidden)
    areas = [
        AreaLine(municipio, len(by_area[municipio]), total(by_area[municipio]), paid_by_area[municipio])
        for municipio in sorted(by_area, key=lambda m: (m is None, m or 0))
    ]
    return Ledger(
        edition=edition,
        at=now,
        position=BudgetPosition(edition.budget_cents, everything),
        campaigns=lines,
        not_public=total(hidden),
        not_public_count=len(hidden),
        areas=areas,
        paid_cents=sum(paid_by_area.values()),
    )


def used_cents(edition: Edition, now: datetime) -> int:
    """What the edition's budget cannot give to a new selection: reserves held and grants committed.
    Added up by the database, so under the edition's lock it counts what the transaction that held
    the lock before committed."""
    return summary_of(edition, now).position.share.used_cents


@dataclass(frozen=True)
class StateLine:
    """The public campaigns in one state, and their shares."""

    state: CampaignState
    campaigns: int
    share: Share
    paid_cents: int = 0


@dataclass(frozen=True)
class Summary:
    """Where the edition's budget stands at `at`, added up: the same figures as `ledger_of`'s."""

    at: datetime
    position: BudgetPosition
    public_count: int  # campaigns public at `at`
    goal_cents: int  # of the public campaigns
    target_cents: int
    raised_cents: int
    not_public: Share  # selected projects whose campaign is not public yet
    not_public_count: int
    areas: list[AreaLine]  # by Municipio number, "not given" last
    states: list[StateLine]  # of the public campaigns, in the order of `CampaignState`, empty states left out
    paid_cents: int = 0  # of the committed grants, every campaign's (paid is part of committed)

    @property
    def project_count(self) -> int:
        return self.public_count + self.not_public_count

    @property
    def not_public_paid_cents(self) -> int:
        """Paid of the grants of campaigns not public (any whose edition or page was taken down)."""
        return self.paid_cents - sum(line.paid_cents for line in self.states)


def _rows(edition: Edition, now: datetime) -> sa.Select:
    """Per Municipio and state (None: not public, or a selected project not launched yet): how many
    projects, their shares, what is paid of their grants and, for the public campaigns, goal, target
    and raised. What is paid is one correlated subquery per campaign row (`instalments.paid_in_sql`),
    added up with the rest: the same single query."""
    not_public = ~Campaign.is_public(now)
    state = sa.case((not_public, sa.null()), *((Campaign.in_state(s, now), s.value) for s in CampaignState))
    reserved, committed, released = Campaign.share_in_sql(now)
    zero = sa.literal(0, sa.BigInteger)
    campaigns = sa.select(
        Campaign.municipio.label("municipio"),
        state.label("state"),
        reserved.label("reserved"),
        committed.label("committed"),
        released.label("released"),
        instalments.paid_in_sql(now).label("paid"),
        Campaign.goal_cents.label("goal"),
        Campaign.target_cents.label("target"),
        Campaign.confirmed_cents.label("raised"),
    ).where(Campaign.edition_id == edition.id)
    launched = sa.select(Campaign.id).where(Campaign.application_id == Application.id).exists()
    selected = sa.select(
        Application.municipio,
        sa.cast(sa.null(), sa.String),
        sa.func.coalesce(Application.reserved_cents, zero),
        zero,
        zero,
        zero,
        zero,
        zero,
        zero,
    ).where(Application.edition_id == edition.id, Application.status == ApplicationStatus.SELECTED, ~launched)
    rows = sa.union_all(campaigns, selected).subquery()
    return sa.select(
        rows.c.municipio,
        rows.c.state,
        sa.func.count(),
        *(
            sa.func.sum(rows.c[name])
            for name in ("reserved", "committed", "released", "paid", "goal", "target", "raised")
        ),
    ).group_by(rows.c.municipio, rows.c.state)


def summary_of(edition: Edition, now: datetime) -> Summary:
    """Where the edition's budget stands at `now`, per Municipio and per state (one query)."""
    by_area: dict[int | None, tuple[int, Share, int]] = {}
    by_state: dict[CampaignState, tuple[int, Share, int]] = {}
    public_money = [0, 0, 0]  # goal, target, raised of the public campaigns
    for municipio, state, count, *sums in db.session.execute(_rows(edition, now)):
        reserved, committed, released, paid, *money = (int(value or 0) for value in sums)
        share = Share(reserved, committed, released)
        projects, area, area_paid = by_area.get(municipio, (0, Share(), 0))
        by_area[municipio] = (projects + count, area + share, area_paid + paid)
        if state is not None:
            campaigns, of_state, state_paid = by_state.get(CampaignState(state), (0, Share(), 0))
            by_state[CampaignState(state)] = (campaigns + count, of_state + share, state_paid + paid)
            public_money = [a + b for a, b in zip(public_money, money, strict=True)]
    areas = [
        AreaLine(municipio, *by_area[municipio]) for municipio in sorted(by_area, key=lambda m: (m is None, m or 0))
    ]
    states = [StateLine(state, *by_state[state]) for state in CampaignState if state in by_state]
    everything = total(area.share for area in areas)
    public = total(line.share for line in states)
    public_count = sum(line.campaigns for line in states)
    goal, target, raised = public_money
    return Summary(
        at=now,
        position=BudgetPosition(edition.budget_cents, everything),
        public_count=public_count,
        goal_cents=goal,
        target_cents=target,
        raised_cents=raised,
        not_public=Share(
            everything.reserved_cents - public.reserved_cents,
            everything.committed_cents - public.committed_cents,
            everything.released_cents - public.released_cents,
        ),
        not_public_count=sum(area.projects for area in areas) - public_count,
        areas=areas,
        states=states,
        paid_cents=sum(area.paid_cents for area in areas),
    )


def public_summary(edition: Edition, now: datetime) -> Summary:
    """`summary_of` for the public tracker, kept in this process until the data version changes: the
    version also changes when a campaign opens, closes or goes public, the only instants at which the
    figures change by the clock alone (portal/services/data_version.py)."""
    summary = data_version.memo(f"cofunding.summary:{edition.id}", lambda: summary_of(edition, now))
    return replace(summary, at=now)


PAGE_SIZE = 50  # campaigns per page of the tracker's detail


def campaign_page(edition: Edition, now: datetime, page: int, per_page: int = PAGE_SIZE) -> list[CampaignLine]:
    """The `page`-th (from 1) `per_page` public campaigns of the edition, in the tracker's order, with
    what is paid of each one's grant (one query)."""
    rows = db.session.execute(
        sa.select(Campaign, instalments.paid_in_sql(now))
        .where(Campaign.edition_id == edition.id, Campaign.is_public(now))
        .order_by(Campaign.starts_at, Campaign.title, Campaign.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return [CampaignLine(campaign, campaign.state(now), campaign.share(now), int(paid)) for campaign, paid in rows]


def page_count(summary: Summary, per_page: int = PAGE_SIZE) -> int:
    """Pages of the tracker's detail: at least one, even when empty."""
    return max(-(-summary.public_count // per_page), 1)
