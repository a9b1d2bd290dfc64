"""After the campaign: the rules of milestones, spending reports, the grant's instalments and the
impact indicators. Plain values in and out; "today" is always a parameter."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from portal.domain import DomainError


class MilestoneState(enum.Enum):
    """What the organisation says of a milestone."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class MilestoneStatus(enum.Enum):
    """What a page shows: the state, or "late" for one not done whose date has passed."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    LATE = "late"

    @property
    def is_late(self) -> bool:
        return self is MilestoneStatus.LATE

    @property
    def is_done(self) -> bool:
        return self is MilestoneStatus.DONE


def milestone_status(state: MilestoneState, due_on: date, today: date) -> MilestoneStatus:
    """Late: not done, and its date (a day in Rome) is before today. Done is never late."""
    if state is not MilestoneState.DONE and due_on < today:
        return MilestoneStatus.LATE
    return MilestoneStatus(state.value)


class ReportStatus(enum.Enum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"  # sent back by staff with a reason; the organisation sends a new one

    @property
    def is_approved(self) -> bool:
        return self is ReportStatus.APPROVED


class InstalmentCondition(enum.Enum):
    """When an instalment of the grant is due."""

    START = "start"  # the advance, once the grant is committed and the campaign has succeeded
    FINAL_REPORT = "final_report"  # the balance, once staff approve the final spending report


@dataclass(frozen=True)
class PlannedInstalment:
    percent: int
    condition: InstalmentCondition


# The plan an edition starts from: an advance at the start, the balance on the approved final report.
DEFAULT_PLAN: tuple[PlannedInstalment, ...] = (
    PlannedInstalment(50, InstalmentCondition.START),
    PlannedInstalment(50, InstalmentCondition.FINAL_REPORT),
)


class AftercareError(enum.StrEnum):
    PLAN_NOT_100 = "plan_not_100"
    PLAN_EMPTY = "plan_empty"
    OVER_COMMITTED = "paid_over_committed"
    NOT_DUE = "instalment_not_due"
    ALREADY_PAID = "instalment_already_paid"


def check_plan(plan: Sequence[PlannedInstalment]) -> None:
    """An instalment plan has at least one instalment, each above 0 %, adding up to 100 %."""
    if not plan or any(p.percent <= 0 for p in plan):
        raise DomainError(AftercareError.PLAN_EMPTY)
    if sum(p.percent for p in plan) != 100:
        raise DomainError(AftercareError.PLAN_NOT_100, total=sum(p.percent for p in plan))


def split_grant(grant_cents: int, plan: Sequence[PlannedInstalment]) -> list[int]:
    """Each instalment's amount in cents: its percent rounded down, the last one taking what is
    left, so the amounts always add up to the grant exactly."""
    check_plan(plan)
    amounts = [grant_cents * p.percent // 100 for p in plan[:-1]]
    return [*amounts, grant_cents - sum(amounts)]


def check_payment(committed_cents: int, paid_cents: int, amount_cents: int) -> None:
    """Paid is part of committed, never more."""
    if paid_cents + amount_cents > committed_cents:
        raise DomainError(AftercareError.OVER_COMMITTED, committed=committed_cents, paid=paid_cents)


# The impact indicators an applicant may choose, by code (their names live in portal/labels.py).
INDICATORS = ("people_reached", "events_held", "volunteers", "partners", "hours_of_activity", "spaces_improved")


# --- the final spending report: when it is due, which reminder is due ----------------------------

DEFAULT_FINAL_REPORT_DAYS = 60  # when the edition says nothing (Edition.final_report_days)
REMIND_BEFORE = timedelta(days=14)


class Reminder(enum.Enum):
    BEFORE = "before"  # REMIND_BEFORE the due day
    DUE = "due"  # on the due day (or the first run after it)

    @property
    def action(self) -> str:
        """The audit log's action that records it was sent (and so is never sent again)."""
        return f"spending.reminder_{self.value}"


def final_report_due(end_date: date, days: int | None) -> date:
    """The day the final report is due: `days` (default 60) after the project's end."""
    return end_date + timedelta(days=DEFAULT_FINAL_REPORT_DAYS if days is None else days)


def report_overdue(due_on: date, today: date) -> bool:
    """A final spending report not sent is overdue from the day after its due day (on the due day
    itself it is due, as the reminder says: `reminder_due`)."""
    return today > due_on


def reminder_due(due_on: date, today: date) -> Reminder | None:
    """Which reminder a run on `today` sends: from 14 days before the due day the first, from the
    due day on the second (a run that missed the first days still sends each, at most once)."""
    if today >= due_on:
        return Reminder.DUE
    if today >= due_on - REMIND_BEFORE:
        return Reminder.BEFORE
    return None
