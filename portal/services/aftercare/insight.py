"""Staff insight (issue 19, item 5): an edition's figures for its dashboard ("Andamento
dell'edizione") and its CSV, read from the portal's own data. Read-only: nothing is written.

`edition_insight` runs the same few aggregate queries whatever the size of the edition (one per
kind of figure, each `GROUP BY` the values it counts; tests/web/test_staff_insight.py checks it at
two sizes). The rules are asked, never restated: a campaign's state (`Campaign.in_state`) and
whether it is public (`Campaign.is_public`); the Comune's grant committed and paid
(`services/cofunding/ledger.py` `summary_of`); a milestone late
(`portal.domain.aftercare.milestone_status`); when a final report is due
(`portal.domain.aftercare.final_report_due`) and when it is overdue
(`portal.domain.aftercare.report_overdue`); the success rate, days to threshold, quartiles and
payment shares (`portal.domain.insight`).

Campaigns count only once public (published, from their instant, in a published edition), as in
the open data; applications count by the Municipio and NIL they name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from portal.clock import ROME
from portal.domain.aftercare import MilestoneState, final_report_due, milestone_status, report_overdue
from portal.domain.application import ApplicationStatus
from portal.domain.campaign import CampaignState
from portal.domain.insight import Quartiles, days_to_threshold, quartiles, shares, success_rate
from portal.domain.pledge import PaymentMethod, PledgeStatus
from portal.extensions import db
from portal.models import Application, Campaign, Edition, Milestone, Pledge
from portal.services.aftercare import spending
from portal.services.aftercare.milestones import today_in_rome
from portal.services.campaigns.gallery import state_in_sql
from portal.services.cofunding import ledger
from portal.services.places.neighbourhoods import nil_or_none


@dataclass(frozen=True)
class AreaFigures:
    """A Municipio (None: not given)."""

    municipio: int | None
    applications: int  # sent (drafts left out)
    campaigns: int  # public
    raised_cents: int  # confirmed pledges of its public campaigns
    pending_cents: int
    committed_cents: int  # the Comune's grants committed to its projects (the co-funding ledger)
    paid_cents: int  # of those, paid in instalments


@dataclass(frozen=True)
class NilFigures:
    """A NIL neighbourhood (None: not given)."""

    nil_id: int | None
    name: str | None
    municipio: int | None
    applications: int
    campaigns: int
    raised_cents: int


@dataclass(frozen=True)
class MethodShare:
    """Confirmed pledges paid one way."""

    method: PaymentMethod
    pledges: int
    amount_cents: int
    percent: int  # of the confirmed amount; the methods' percentages add up to 100


@dataclass(frozen=True)
class EditionInsight:
    year: int
    at: datetime
    applications_by_status: tuple[tuple[ApplicationStatus, int], ...]  # every status, in the enum's order
    campaigns_by_state: tuple[tuple[CampaignState, int], ...]  # public campaigns, every state
    municipi: tuple[AreaFigures, ...]  # by number, "not given" last
    nils: tuple[NilFigures, ...]  # by Municipio then name, "not given" last
    public_campaigns: int
    supporters: int  # confirmed pledges of the public campaigns
    raised_cents: int
    pending_cents: int
    committed_cents: int  # the edition's, from the co-funding ledger
    paid_cents: int
    payment_mix: tuple[MethodShare, ...]  # every method, in the enum's order
    succeeded: int
    ended: int
    success_rate: Decimal | None  # percent; None while no campaign has ended
    days_to_threshold: Quartiles | None  # of the public campaigns that reached their target
    supporters_per_campaign: Quartiles | None  # of the public campaigns that have opened
    reports_overdue: int  # succeeded campaigns whose final report is overdue and not sent
    final_reports_expected: int  # succeeded campaigns whose application gives an end date
    milestones_late: int
    milestones: int

    @property
    def applications(self) -> int:
        return sum(count for _status, count in self.applications_by_status)


def _edition_campaigns(edition: Edition, now: datetime):
    return sa.and_(Campaign.edition_id == edition.id, Campaign.is_public(now))


def _applications(edition: Edition) -> list[tuple[ApplicationStatus, int | None, int | None, int]]:
    rows = db.session.execute(
        sa.select(Application.status, Application.municipio, Application.nil_id, sa.func.count())
        .where(Application.edition_id == edition.id)
        .group_by(Application.status, Application.municipio, Application.nil_id)
    )
    return [(status, municipio, nil_id, count) for status, municipio, nil_id, count in rows]


def _campaigns(edition: Edition, now: datetime) -> list[tuple]:
    """(state, Municipio, NIL, campaigns, raised, pending, supporters) of the public campaigns."""
    public = (
        sa.select(
            state_in_sql(now).label("state"),
            Campaign.municipio.label("municipio"),
            Campaign.nil_id.label("nil_id"),
            Campaign.confirmed_cents.label("raised"),
            Campaign.pending_cents.label("pending"),
            Campaign.supporters.label("supporters"),
        )
        .where(_edition_campaigns(edition, now))
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            public.c.state,
            public.c.municipio,
            public.c.nil_id,
            sa.func.count(),
            sa.func.sum(public.c.raised),
            sa.func.sum(public.c.pending),
            sa.func.sum(public.c.supporters),
        ).group_by(public.c.state, public.c.municipio, public.c.nil_id)
    )
    return [(CampaignState(s), m, n, c, int(r or 0), int(p or 0), int(su or 0)) for s, m, n, c, r, p, su in rows]


def _payment_mix(edition: Edition, now: datetime) -> dict[PaymentMethod, tuple[int, int]]:
    rows = db.session.execute(
        sa.select(Pledge.method, sa.func.count(), sa.func.sum(Pledge.amount_cents))
        .join(Campaign, Campaign.id == Pledge.campaign_id)
        .where(_edition_campaigns(edition, now), Pledge.status == PledgeStatus.CONFIRMED)
        .group_by(Pledge.method)
    )
    return {method: (count, int(total or 0)) for method, count, total in rows}


def _supporters(edition: Edition, now: datetime) -> dict[int, int]:
    """{supporters: how many public campaigns have that many}, of those that have opened."""
    rows = db.session.execute(
        sa.select(Campaign.supporters, sa.func.count())
        .where(_edition_campaigns(edition, now), ~Campaign.in_state(CampaignState.UPCOMING, now))
        .group_by(Campaign.supporters)
    )
    return {supporters: count for supporters, count in rows}


def _threshold_days(edition: Edition, now: datetime) -> Counter[int]:
    """{days: campaigns}: from each public campaign's start to its grant's commitment (the moment
    its confirmed pledges reached the target). One row per such campaign: an edition's budget
    bounds how many there are."""
    rows = db.session.execute(
        sa.select(Campaign.starts_at, Campaign.grant_committed_at).where(
            _edition_campaigns(edition, now),
            Campaign.grant_committed_at.is_not(None),
            Campaign.grant_committed_at <= now,
        )
    )
    return Counter(days_to_threshold(starts_at, reached_at, ROME) for starts_at, reached_at in rows)


def _final_reports(edition: Edition, now: datetime) -> tuple[int, int]:
    """(overdue, expected): the succeeded campaigns whose application gives an end date, and those
    whose final report is overdue with none sent. "Sent" is `spending.reporting_closed`'s rule (a
    final report waiting for review or approved), asked in SQL of `spending.closed_in_sql` for every
    campaign in the same query (tests/web/test_staff_insight.py checks it agrees with the former)."""
    sent = spending.closed_in_sql(Campaign.id)
    succeeded = (
        sa.select(Application.end_date.label("end_date"), sent.label("sent"))
        .select_from(Campaign)
        .join(Application, Application.id == Campaign.application_id)
        .where(
            Campaign.edition_id == edition.id,
            Campaign.in_state(CampaignState.SUCCEEDED, now),
            Application.end_date.is_not(None),
        )
        .subquery()
    )
    rows = db.session.execute(
        sa.select(succeeded.c.end_date, succeeded.c.sent, sa.func.count()).group_by(
            succeeded.c.end_date, succeeded.c.sent
        )
    )
    today = today_in_rome(now)
    overdue = expected = 0
    for end_date, was_sent, count in rows:
        expected += count
        if not was_sent and report_overdue(final_report_due(end_date, edition.final_report_days), today):
            overdue += count
    return overdue, expected


def _milestones(edition: Edition, now: datetime) -> tuple[int, int]:
    """(late, all) milestones of the edition's campaigns, each status asked of the rule."""
    rows = db.session.execute(
        sa.select(Milestone.state, Milestone.due_on, sa.func.count())
        .join(Campaign, Campaign.id == Milestone.campaign_id)
        .where(Campaign.edition_id == edition.id)
        .group_by(Milestone.state, Milestone.due_on)
    )
    today = today_in_rome(now)
    late = total = 0
    for state, due_on, count in rows:
        total += count
        if milestone_status(MilestoneState(state), due_on, today).is_late:
            late += count
    return late, total


def _place_order(key: int | None) -> tuple[bool, int]:
    return (key is None, key or 0)


def edition_insight(edition: Edition, now: datetime) -> EditionInsight:
    """Every figure of the edition's dashboard at `now` (eight queries, whatever its size)."""
    applications = _applications(edition)
    campaigns = _campaigns(edition, now)
    summary = ledger.summary_of(edition, now)

    sent = [row for row in applications if row[0] is not ApplicationStatus.DRAFT]
    by_status = Counter[ApplicationStatus]()
    for status, _m, _n, count in applications:
        by_status[status] += count
    by_state = Counter[CampaignState]()
    areas: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # applications, campaigns, raised, pending
    nils: dict[int | None, list[int]] = defaultdict(lambda: [0, 0, 0])  # applications, campaigns, raised
    nil_area: dict[int | None, int | None] = {}
    for _status, municipio, nil_id, count in sent:
        areas[municipio][0] += count
        nils[nil_id][0] += count
        nil_area.setdefault(nil_id, municipio)
    for state, municipio, nil_id, count, raised, pending, _ in campaigns:
        by_state[state] += count
        area = areas[municipio]
        area[1], area[2], area[3] = area[1] + count, area[2] + raised, area[3] + pending
        place = nils[nil_id]
        place[1], place[2] = place[1] + count, place[2] + raised
        nil_area.setdefault(nil_id, municipio)
    ledger_areas = {line.municipio: line for line in summary.areas}
    municipi = tuple(
        AreaFigures(
            municipio,
            *areas[municipio],
            ledger_areas[municipio].share.committed_cents if municipio in ledger_areas else 0,
            ledger_areas[municipio].paid_cents if municipio in ledger_areas else 0,
        )
        for municipio in sorted(set(areas) | set(ledger_areas), key=_place_order)
    )

    def nil_figures(nil_id: int | None) -> NilFigures:
        nil = nil_or_none(nil_id)
        municipio = nil.municipio if nil else nil_area.get(nil_id)
        return NilFigures(nil_id, nil.label if nil else None, municipio, *nils[nil_id])

    nil_lines = sorted(
        (nil_figures(nil_id) for nil_id in nils),
        key=lambda line: (line.nil_id is None, line.municipio or 0, line.name or ""),
    )

    mix = _payment_mix(edition, now)
    amounts = [mix.get(method, (0, 0))[1] for method in PaymentMethod]
    payment_mix = tuple(
        MethodShare(method, mix.get(method, (0, 0))[0], amount, percent)
        for method, amount, percent in zip(PaymentMethod, amounts, shares(amounts), strict=True)
    )
    succeeded = by_state[CampaignState.SUCCEEDED]
    ended = succeeded + by_state[CampaignState.NOT_FUNDED]
    overdue, expected = _final_reports(edition, now)
    late, milestones = _milestones(edition, now)
    return EditionInsight(
        year=edition.year,
        at=now,
        applications_by_status=tuple((status, by_status[status]) for status in ApplicationStatus),
        campaigns_by_state=tuple((state, by_state[state]) for state in CampaignState),
        municipi=municipi,
        nils=tuple(nil_lines),
        public_campaigns=sum(by_state.values()),
        supporters=sum(row[6] for row in campaigns),
        raised_cents=sum(row[4] for row in campaigns),
        pending_cents=sum(row[5] for row in campaigns),
        committed_cents=summary.position.committed_cents,
        paid_cents=summary.paid_cents,
        payment_mix=payment_mix,
        succeeded=succeeded,
        ended=ended,
        success_rate=success_rate(succeeded, ended),
        days_to_threshold=quartiles(_threshold_days(edition, now)),
        supporters_per_campaign=quartiles(_supporters(edition, now)),
        reports_overdue=overdue,
        final_reports_expected=expected,
        milestones_late=late,
        milestones=milestones,
    )


@dataclass(frozen=True)
class CampaignFigures:
    """One public campaign's line of the CSV."""

    slug: str
    title: str
    organisation: str
    supporters: int
    raised_cents: int
    days_to_threshold: int | None  # None: the target not reached


def campaign_lines(edition: Edition, now: datetime) -> list[CampaignFigures]:
    """The edition's public campaigns, by start and title, with their supporters, money raised and
    days to threshold (one query; for the CSV, as the open data lists every campaign)."""
    rows = db.session.execute(
        sa.select(
            Campaign.slug,
            Campaign.title,
            Campaign.organisation_name,
            Campaign.supporters,
            Campaign.confirmed_cents,
            Campaign.starts_at,
            Campaign.grant_committed_at,
        )
        .where(_edition_campaigns(edition, now))
        .order_by(Campaign.starts_at, Campaign.title, Campaign.id)
    )
    return [
        CampaignFigures(
            slug,
            title,
            organisation,
            supporters,
            raised,
            days_to_threshold(starts_at, reached_at, ROME) if reached_at is not None and reached_at <= now else None,
        )
        for slug, title, organisation, supporters, raised, starts_at, reached_at in rows
    ]
