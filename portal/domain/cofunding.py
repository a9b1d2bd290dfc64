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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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
