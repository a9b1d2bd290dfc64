"""Rules of an application to a call: its sections, when each is complete, dates, budget, deadline."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from portal.domain import DomainError


class ApplicationStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_EVALUATION = "in_evaluation"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    WITHDRAWN = "withdrawn"


class ApplicationError(enum.StrEnum):
    END_BEFORE_START = "end_before_start"
    TOO_LONG = "too_long"
    EMPTY_BUDGET = "empty_budget"
    OVER_MAX_COST = "over_max_cost"
    NOT_OPEN = "not_open"
    DEADLINE_PASSED = "deadline_passed"


class SectionState(enum.Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"

    @property
    def is_complete(self) -> bool:
        return self is SectionState.COMPLETE


# The steps of the form, in order; the review comes after them.
SECTIONS = ("progetto", "tempi", "budget", "campagna", "allegati")

# The portal's own classification of projects (the 2020 call names no themes); used by the gallery too.
THEMES = ("inclusione", "cultura", "ambiente", "sport", "educazione", "anziani", "lavoro", "rigenerazione")
BUDGET_CATEGORIES = ("personale", "attrezzature", "servizi", "spazi", "comunicazione", "altro")

PROJECT_FIELDS = ("title", "summary", "description", "theme", "nil_id", "why_here")
CAMPAIGN_FIELDS = ("communication_plan", "team")
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024


def state_of(filled: Iterable[bool]) -> SectionState:
    """Nothing filled: not started; everything: complete; otherwise in progress."""
    values = list(filled)
    if not any(values):
        return SectionState.NOT_STARTED
    return SectionState.COMPLETE if all(values) else SectionState.IN_PROGRESS


def months_spanned(start: date, end: date) -> int:
    """Calendar months a project runs, counting a started month as a whole one (1 Sep–31 Aug = 12)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return months + (1 if end.day >= start.day else 0)


def check_timeline(start: date, end: date, max_months: int | None) -> None:
    """The end comes after the start and the project lasts no more than the edition allows."""
    if end < start:
        raise DomainError(ApplicationError.END_BEFORE_START)
    if max_months is not None and months_spanned(start, end) > max_months:
        raise DomainError(ApplicationError.TOO_LONG, max_months=max_months, months=months_spanned(start, end))


@dataclass(frozen=True)
class BudgetLine:
    description: str
    category: str
    amount_cents: int


def budget_total(lines: Iterable[BudgetLine]) -> int:
    return sum(line.amount_cents for line in lines)


def check_budget(lines: list[BudgetLine], max_cost_cents: int | None) -> int:
    """The total in cents; raises when it is zero or above the edition's maximum cost."""
    total = budget_total(lines)
    if total <= 0:
        raise DomainError(ApplicationError.EMPTY_BUDGET)
    if max_cost_cents is not None and total > max_cost_cents:
        raise DomainError(ApplicationError.OVER_MAX_COST, total=total, max_cost=max_cost_cents)
    return total


def check_deadline(closes_at: datetime | None, now: datetime, opens_at: datetime | None = None) -> None:
    """Submissions are accepted while opens_at <= now < closes_at, by the server's clock."""
    if opens_at is not None and now < opens_at:
        raise DomainError(ApplicationError.NOT_OPEN)
    if closes_at is None or now >= closes_at:
        raise DomainError(ApplicationError.DEADLINE_PASSED)


def can_withdraw(status: ApplicationStatus, closes_at: datetime | None, now: datetime) -> bool:
    """A submitted application can be withdrawn until the call's deadline; after it, it is evaluated."""
    return status is ApplicationStatus.SUBMITTED and closes_at is not None and now < closes_at


def protocol_number(year: int, sequence: int) -> str:
    """CC2020-0001: the edition's year and a sequence without gaps."""
    if sequence < 1:
        raise ValueError("protocol sequences start at 1")
    return f"CC{year}-{sequence:04d}"
