"""Who may apply: the call's admission criteria as one pure function."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# Legal forms an applicant can declare. Which ones are eligible is the Edition's
# data (`eligible_legal_forms`), not this list's.
LEGAL_FORMS = (
    "associazione",
    "fondazione",
    "impresa_sociale",
    "societa",
    "ente_pubblico",
    "persona_fisica",
    "altro",
)


@dataclass(frozen=True)
class Criteria:
    eligible_legal_forms: frozenset[str]
    requires_non_profit: bool
    requires_seat_in_milan: bool
    max_duration_months: int | None
    max_cost_cents: int | None


@dataclass(frozen=True)
class Applicant:
    legal_form: str
    is_non_profit: bool
    has_seat_in_milan: bool
    duration_months: int
    cost_cents: int


class EligibilityFailure(StrEnum):
    LEGAL_FORM = "legal_form"
    NON_PROFIT = "non_profit"
    SEAT_IN_MILAN = "seat_in_milan"
    DURATION_TOO_SHORT = "duration_too_short"
    DURATION = "duration"  # longer than the edition allows
    COST_NOT_POSITIVE = "cost_not_positive"
    COST = "cost"  # above the edition's maximum cost


@dataclass(frozen=True)
class Failure:
    """One criterion not met; `code` names it, `params` carry the figures."""

    code: EligibilityFailure
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    failures: tuple[Failure, ...]

    @property
    def is_eligible(self) -> bool:
        return not self.failures


def check(applicant: Applicant, criteria: Criteria) -> Verdict:
    """Every criterion is checked, so the applicant learns all reasons at once."""
    failures: list[Failure] = []
    if applicant.legal_form not in criteria.eligible_legal_forms:
        failures.append(Failure(EligibilityFailure.LEGAL_FORM, {"legal_form": applicant.legal_form}))
    if criteria.requires_non_profit and not applicant.is_non_profit:
        failures.append(Failure(EligibilityFailure.NON_PROFIT))
    if criteria.requires_seat_in_milan and not applicant.has_seat_in_milan:
        failures.append(Failure(EligibilityFailure.SEAT_IN_MILAN))
    if applicant.duration_months < 1:
        failures.append(Failure(EligibilityFailure.DURATION_TOO_SHORT))
    elif criteria.max_duration_months is not None and applicant.duration_months > criteria.max_duration_months:
        failures.append(Failure(EligibilityFailure.DURATION, {"max_months": criteria.max_duration_months}))
    if applicant.cost_cents <= 0:
        failures.append(Failure(EligibilityFailure.COST_NOT_POSITIVE))
    elif criteria.max_cost_cents is not None and applicant.cost_cents > criteria.max_cost_cents:
        failures.append(Failure(EligibilityFailure.COST, {"max_cost_cents": criteria.max_cost_cents}))
    return Verdict(tuple(failures))
