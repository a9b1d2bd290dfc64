"""The match-funding rule of the call, in integer cents.

Citizens must raise `threshold_percent` of the project's cost; once they do, the
Comune grants `match_percent` of the cost, never more than `cap_cents`. Rounding
never favours spending: the citizens' target is rounded up, the Comune's share
down, so uncapped the two add up to the cost exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portal.domain import DomainError


class MatchFundingError(StrEnum):
    NOT_POSITIVE = "not_positive"
    OVER_MAX_COST = "over_max_cost"


@dataclass(frozen=True)
class MatchRule:
    threshold_percent: int
    match_percent: int
    cap_cents: int
    max_cost_cents: int | None = None

    def __post_init__(self) -> None:
        if not (0 < self.threshold_percent <= 100 and 0 <= self.match_percent <= 100):
            raise ValueError("percentages must be within 0-100")
        if self.cap_cents < 0:
            raise ValueError("the cap cannot be negative")


@dataclass(frozen=True)
class MatchSplit:
    cost_cents: int
    citizens_target_cents: int
    comune_cents: int
    is_capped: bool

    @property
    def uncovered_cents(self) -> int:
        """What neither the target nor the Comune covers (only when the cap bites)."""
        return max(self.cost_cents - self.citizens_target_cents - self.comune_cents, 0)


def _percent_of(amount_cents: int, percent: int, *, round_up: bool) -> int:
    whole, rest = divmod(amount_cents * percent, 100)
    return whole + 1 if round_up and rest else whole


def split_cost(cost_cents: int, rule: MatchRule) -> MatchSplit:
    """Split a project's cost into the citizens' target and the Comune's share.

    Raises ``DomainError(MatchFundingError.NOT_POSITIVE)`` for a cost of zero or less and
    ``DomainError(MatchFundingError.OVER_MAX_COST, max_cost_cents=...)`` above the call's limit.
    """
    if cost_cents <= 0:
        raise DomainError(MatchFundingError.NOT_POSITIVE)
    if rule.max_cost_cents is not None and cost_cents > rule.max_cost_cents:
        raise DomainError(MatchFundingError.OVER_MAX_COST, max_cost_cents=rule.max_cost_cents)
    uncapped = _percent_of(cost_cents, rule.match_percent, round_up=False)
    return MatchSplit(
        cost_cents=cost_cents,
        citizens_target_cents=_percent_of(cost_cents, rule.threshold_percent, round_up=True),
        comune_cents=min(uncapped, rule.cap_cents),
        is_capped=uncapped > rule.cap_cents,
    )


def cost_at_cap(rule: MatchRule) -> int:
    """The smallest cost at which the Comune's share reaches the cap (for the copy)."""
    if rule.match_percent == 0:
        return 0
    return -(-rule.cap_cents * 100 // rule.match_percent)
