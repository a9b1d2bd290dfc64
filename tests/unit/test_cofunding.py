"""The co-funding ledger's rules: every cent of a reserve in exactly one place, nothing overspent."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.cofunding import BudgetPosition, Share, share_of, total


def test_a_reserve_is_held_committed_or_released():
    assert share_of(1_200_030, None, window_ended=False) == Share(reserved_cents=1_200_030)
    assert share_of(1_200_030, 1_200_030, window_ended=False) == Share(committed_cents=1_200_030)
    assert share_of(700_000, 600_000, window_ended=True) == Share(committed_cents=600_000, released_cents=100_000)
    assert share_of(900_000, None, window_ended=True) == Share(released_cents=900_000)


@pytest.mark.parametrize(("reserve", "grant"), [(-1, None), (100, 101), (100, -1)])
def test_impossible_figures_are_refused(reserve, grant):
    with pytest.raises(ValueError):
        share_of(reserve, grant, window_ended=False)


def test_left_is_the_budget_less_what_is_held_and_committed():
    shares = [share_of(1_200_030, 1_200_030, False), share_of(600_000, None, False), share_of(900_000, None, True)]
    position = BudgetPosition(50_000_000, total(shares))
    assert (position.committed_cents, position.reserved_cents, position.released_cents) == (1_200_030, 600_000, 900_000)
    assert position.left_cents == 48_199_970
    assert BudgetPosition(None, total(shares)).left_cents is None


projects = st.lists(
    st.tuples(st.integers(0, 6_000_000), st.floats(0, 1), st.booleans(), st.booleans()), max_size=30
).map(
    lambda rows: [(reserve, int(reserve * part) if granted else None, ended) for reserve, part, granted, ended in rows]
)


@given(projects, st.integers(0, 50_000_000))
def test_sensible_figures_never_leave_a_negative_budget(rows, spare):
    """Reserves made within the budget (as selection makes them): whatever happened to the
    campaigns since, every cent is accounted for once and what is left is never negative."""
    budget = sum(reserve for reserve, _, _ in rows) + spare
    position = BudgetPosition(budget, total(share_of(*row) for row in rows))
    share = position.share
    assert share.reserved_cents + share.committed_cents + share.released_cents == budget - spare
    assert position.left_cents == spare + share.released_cents >= 0
