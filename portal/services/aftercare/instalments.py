"""The Comune's grant paid in instalments (issue 19, item 3).

An edition's plan (`Edition.instalment_plan`; empty: `portal.domain.aftercare.DEFAULT_PLAN`) says
what share of the grant is paid on which condition. Once a campaign has succeeded its instalments
are written once (`schedule`, by the closing run, or when staff first open its page), the amounts
split by `domain.aftercare.split_grant` so they add up to the grant exactly; a plan changed later
leaves them as they are. Staff record each one as paid (`record_payment`) under the campaign's row
lock: once only, only when due, never past what is committed (`domain.aftercare.check_payment`).

What is paid at a moment is counted twice, with the same rule: `paid_cents` over rows read, and
`paid_in_sql` for the co-funding ledger's queries (tests/web/test_grant_instalments.py checks they
agree).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from portal.domain import DomainError
from portal.domain.aftercare import (
    DEFAULT_PLAN,
    AftercareError,
    InstalmentCondition,
    PlannedInstalment,
    ReportStatus,
    check_payment,
    check_plan,
    split_grant,
)
from portal.extensions import db
from portal.models import Campaign, Edition, GrantInstalment, SpendingReport, User
from portal.services import audit
from portal.services.campaigns.locking import locked_campaign
from portal.services.transaction import transactional

# --- the edition's plan ------------------------------------------------------------------------


def chosen_plan(edition: Edition) -> tuple[PlannedInstalment, ...]:
    """The plan staff set for the edition; empty when they set none."""
    return tuple(
        PlannedInstalment(int(row["percent"]), InstalmentCondition(row["condition"]))
        for row in edition.instalment_plan or ()
    )


def plan_of(edition: Edition) -> tuple[PlannedInstalment, ...]:
    """The plan the edition's grants are paid by: the one staff set, or the default plan."""
    return chosen_plan(edition) or DEFAULT_PLAN


def stored_plan(plan: Sequence[PlannedInstalment]) -> list[dict[str, object]]:
    """The plan as `Edition.instalment_plan` keeps it; an empty plan stays empty (the default)."""
    if plan:
        check_plan(plan)
    return [{"percent": p.percent, "condition": p.condition.value} for p in plan]


def plan_text(plan: Sequence[PlannedInstalment]) -> str:
    """The plan in one line for the audit log: "50% start; 50% final_report"; empty: "default"."""
    return "; ".join(f"{p.percent}% {p.condition.value}" for p in plan) or "default"


# --- when an instalment is due -----------------------------------------------------------------


class Standing(enum.Enum):
    """Where an instalment stands, as staff's page tells it."""

    PAID = "paid"
    DUE = "due"
    AWAITS_FINAL_REPORT = "awaits_final_report"  # the balance: no final spending report approved yet
    AWAITS_SUCCESS = "awaits_success"  # the campaign has not succeeded (never for a scheduled one)

    @property
    def is_paid(self) -> bool:
        return self is Standing.PAID

    @property
    def is_due(self) -> bool:
        return self is Standing.DUE


def standing(instalment: GrantInstalment, *, succeeded: bool, final_report_approved: bool) -> Standing:
    """Paid once recorded; otherwise the advance (START) is due once the campaign has succeeded,
    the balance (FINAL_REPORT) once staff approved its final spending report as well."""
    if instalment.paid_at is not None:
        return Standing.PAID
    if not succeeded:
        return Standing.AWAITS_SUCCESS
    if instalment.condition is InstalmentCondition.FINAL_REPORT and not final_report_approved:
        return Standing.AWAITS_FINAL_REPORT
    return Standing.DUE


def due(instalment: GrantInstalment, *, succeeded: bool, final_report_approved: bool) -> bool:
    """Whether staff may record it as paid now."""
    return standing(instalment, succeeded=succeeded, final_report_approved=final_report_approved).is_due


def has_approved_final_report(campaign_id: int) -> bool:
    """Whether staff approved a spending report of the campaign marked final."""
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    SpendingReport.campaign_id == campaign_id,
                    SpendingReport.is_final.is_(True),
                    SpendingReport.status == ReportStatus.APPROVED,
                )
            )
        )
    )


# --- what is paid ------------------------------------------------------------------------------


def is_paid(instalment: GrantInstalment, now: datetime) -> bool:
    """Recorded as paid by `now` (`paid_in_sql` is the same rule in SQL)."""
    return instalment.paid_at is not None and instalment.paid_at <= now


def paid_cents(instalments: Iterable[GrantInstalment], now: datetime) -> int:
    """What of a campaign's grant is paid at `now`, from its instalments' rows."""
    return sum(i.amount_cents for i in instalments if is_paid(i, now))


def paid_in_sql(now: datetime, campaign_id: ColumnElement[int] | None = None) -> ColumnElement[int]:
    """`paid_cents` for a query: the paid instalments of the campaign of the enclosing row (a
    correlated subquery on `Campaign.id`, served by the (campaign_id, position) index), 0 if none."""
    paid = (
        sa.select(sa.func.coalesce(sa.func.sum(GrantInstalment.amount_cents), 0))
        .where(
            GrantInstalment.campaign_id == (Campaign.id if campaign_id is None else campaign_id),
            GrantInstalment.paid_at.is_not(None),
            GrantInstalment.paid_at <= now,
        )
        .scalar_subquery()
    )
    return sa.cast(paid, sa.BigInteger)


def instalments_in(edition_id: int) -> dict[int, list[GrantInstalment]]:
    """Every instalment of the edition's campaigns, by campaign (one query)."""
    rows = db.session.scalars(
        sa.select(GrantInstalment)
        .join(Campaign, Campaign.id == GrantInstalment.campaign_id)
        .where(Campaign.edition_id == edition_id)
        .order_by(GrantInstalment.campaign_id, GrantInstalment.position)
    )
    found: dict[int, list[GrantInstalment]] = {}
    for row in rows:
        found.setdefault(row.campaign_id, []).append(row)
    return found


# --- scheduling --------------------------------------------------------------------------------


def _rows_of(campaign_id: int) -> list[GrantInstalment]:
    return list(
        db.session.scalars(
            sa.select(GrantInstalment)
            .where(GrantInstalment.campaign_id == campaign_id)
            .order_by(GrantInstalment.position)
            .execution_options(populate_existing=True)
        )
    )


def schedule(campaign: Campaign, now: datetime) -> list[GrantInstalment]:
    """The campaign's instalments, written from its edition's plan the first time it is asked once
    the campaign has succeeded; before that, none. Run under the campaign's row lock (the closing
    run holds it; `instalments_of` takes it), so two callers never write them twice."""
    existing = _rows_of(campaign.id)
    if existing or not campaign.state(now).has_succeeded or not campaign.grant_cents:
        return existing
    plan = plan_of(campaign.edition)
    for position, (planned, amount) in enumerate(zip(plan, split_grant(campaign.grant_cents, plan), strict=True), 1):
        if amount > 0:  # a grant of a few cents: a share rounded to nothing is left out
            db.session.add(
                GrantInstalment(
                    campaign_id=campaign.id,
                    position=position,
                    percent=planned.percent,
                    condition=planned.condition,
                    amount_cents=amount,
                )
            )
    db.session.flush()
    return _rows_of(campaign.id)


def final_report_approved(campaign_id: int, now: datetime) -> None:
    """Called by the spending reports' approval when the report is final, in its transaction: the
    instalments exist from then on (whether the balance is due is read from the reports' rows)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is not None:
        schedule(campaign, now)


@dataclass(frozen=True)
class InstalmentLine:
    instalment: GrantInstalment
    standing: Standing


@dataclass(frozen=True)
class Instalments:
    """A campaign's instalments as staff's page shows them."""

    campaign: Campaign
    succeeded: bool
    final_report_approved: bool
    committed_cents: int
    lines: list[InstalmentLine]

    @property
    def paid_cents(self) -> int:
        return sum(line.instalment.amount_cents for line in self.lines if line.standing.is_paid)

    @property
    def scheduled_cents(self) -> int:
        return sum(line.instalment.amount_cents for line in self.lines)


@transactional
def instalments_of(campaign_id: int, now: datetime) -> Instalments:
    """The campaign's instalments and where each stands, written first if it has succeeded and has
    none yet (under its row lock: only then is anything locked or written)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise LookupError(campaign_id)
    succeeded = campaign.state(now).has_succeeded
    rows = _rows_of(campaign_id)
    if succeeded and not rows:
        campaign = locked_campaign(campaign_id)
        rows = schedule(campaign, now)
    approved = has_approved_final_report(campaign_id)
    return Instalments(
        campaign=campaign,
        succeeded=succeeded,
        final_report_approved=approved,
        committed_cents=campaign.share(now).committed_cents,
        lines=[InstalmentLine(row, standing(row, succeeded=succeeded, final_report_approved=approved)) for row in rows],
    )


# --- recording a payment -----------------------------------------------------------------------


@transactional
def record_payment(instalment_id: int, payment_reference: str, actor: User, now: datetime) -> GrantInstalment:
    """Record an instalment as paid with the Comune's payment reference (its mandate number), under
    the campaign's row lock: refused once paid (`ALREADY_PAID`), before it is due (`NOT_DUE`), or if
    it would take what is paid past what is committed (`OVER_COMMITTED`). Audited."""
    campaign_id = db.session.scalar(sa.select(GrantInstalment.campaign_id).where(GrantInstalment.id == instalment_id))
    if campaign_id is None:
        raise LookupError(instalment_id)
    campaign = locked_campaign(campaign_id)
    rows = _rows_of(campaign_id)  # fresh under the lock: a payment recorded meanwhile is seen
    instalment = next(row for row in rows if row.id == instalment_id)
    if instalment.paid_at is not None:
        raise DomainError(AftercareError.ALREADY_PAID, paid_at=instalment.paid_at)
    succeeded = campaign.state(now).has_succeeded
    if not due(instalment, succeeded=succeeded, final_report_approved=has_approved_final_report(campaign_id)):
        raise DomainError(AftercareError.NOT_DUE)
    check_payment(campaign.share(now).committed_cents, paid_cents(rows, now), instalment.amount_cents)
    instalment.paid_at = now
    instalment.paid_by_id = actor.id
    instalment.payment_reference = payment_reference
    audit.record(
        actor,
        "grant.instalment_paid",
        "campaign",
        campaign.id,
        now,
        label=campaign.title,
        changes={
            "instalment": [None, instalment.position],
            "amount_cents": [None, instalment.amount_cents],
            "payment_reference": [None, payment_reference],
        },
    )
    db.session.flush()
    return instalment
