"""The co-funding ledger of an edition, in integer cents: where the Comune's budget stands.

Every selected project sets aside its maximum contribution (its *reserve*). From then on
each cent of a reserve is in exactly one place:

- **reserved**: still held for a project that may yet reach its target (selected and not
  yet launched, or a campaign whose window has not ended without the grant);
- **committed**: the grant of a campaign that reached its target in time;
- **released**: back in the budget: the whole reserve of a campaign whose window ended
  without the grant (not funded: no grant can come after the window), and the part of a
  reserve above the grant actually committed.

What is left to select more projects is ``budget − reserved − committed``; released money
is part of it. Nothing here rounds: the figures add up to the cent.

The budget's one rule, `covers`: it is never below what is reserved and committed. Every change
that could break it asks here — selecting a project (`domain.evaluation.reserve`), committing a
grant (`grant_within_budget`), setting the budget (`check_budget_change`) — under the edition's
row lock (`services.cofunding.budget`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from portal.domain import DomainError


class BudgetError(StrEnum):
    BELOW_HELD = "below_held"  # a budget below what is already reserved or committed


@dataclass(frozen=True)
class Share:
    """Where one project's reserve stands (reserved + committed + released = the reserve)."""

    reserved_cents: int = 0
    committed_cents: int = 0
    released_cents: int = 0

    @property
    def used_cents(self) -> int:
        """What the budget cannot give to another project: held or committed."""
        return self.reserved_cents + self.committed_cents

    def __add__(self, other: Share) -> Share:
        return Share(
            self.reserved_cents + other.reserved_cents,
            self.committed_cents + other.committed_cents,
            self.released_cents + other.released_cents,
        )


def share_of(reserve_cents: int, grant_cents: int | None, window_ended: bool) -> Share:
    """One project's share: its grant once committed (the rest of the reserve released); the
    whole reserve released once its window ended without the grant; otherwise all held."""
    if reserve_cents < 0:
        raise ValueError("a reserve cannot be negative")
    if grant_cents is not None:
        if not 0 <= grant_cents <= reserve_cents:
            raise ValueError("a grant lies within its reserve")
        return Share(committed_cents=grant_cents, released_cents=reserve_cents - grant_cents)
    if window_ended:
        return Share(released_cents=reserve_cents)
    return Share(reserved_cents=reserve_cents)


def total(shares: Iterable[Share]) -> Share:
    return sum(shares, Share())


@dataclass(frozen=True)
class BudgetPosition:
    """An edition's budget (None when no source gives it) and where its reserves stand."""

    budget_cents: int | None
    share: Share

    @property
    def reserved_cents(self) -> int:
        return self.share.reserved_cents

    @property
    def committed_cents(self) -> int:
        return self.share.committed_cents

    @property
    def released_cents(self) -> int:
        return self.share.released_cents

    @property
    def left_cents(self) -> int | None:
        """What is still free to select projects with; None without a budget."""
        if self.budget_cents is None:
            return None
        return self.budget_cents - self.share.used_cents


def covers(budget_cents: int | None, used_cents: int) -> bool:
    """Whether a budget covers what is reserved and committed (`Share.used_cents`). An edition
    without a budget (None) covers nothing: no project can be selected against it."""
    return used_cents <= (budget_cents or 0)


def check_budget_change(old_cents: int | None, new_cents: int | None, used_cents: int) -> None:
    """Staff set the budget: never below what is reserved and committed, nor to none while anything
    is. Refused with ``DomainError(BudgetError.BELOW_HELD, held=used_cents)``. A budget left as it
    was is not a change (an edition whose figures come from the sources keeps its empty budget)."""
    if new_cents != old_cents and not covers(new_cents, used_cents):
        raise DomainError(BudgetError.BELOW_HELD, held=used_cents)


def grant_within_budget(grant_cents: int, budget_cents: int | None, others_used_cents: int) -> int:
    """The part of a grant now due that the budget covers beside what the edition's other projects
    hold: all of it while the rule holds (a grant lies within its campaign's reserve, which the budget
    already covers), less only if the budget was cut meanwhile below that reserve — e.g. at the instant
    the campaign's window ended, when its reserve counted as released. An edition without a budget
    (its figures come from the sources, as 2016's) is not checked."""
    if grant_cents < 0 or others_used_cents < 0:
        raise ValueError("grants and reserves are never negative")
    if budget_cents is None:
        return grant_cents
    return max(min(grant_cents, budget_cents - others_used_cents), 0)
