"""The co-funding ledger's rules: every cent of a reserve in exactly one place, nothing overspent."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain import DomainError
from portal.domain.cofunding import (
    BudgetError,
    BudgetPosition,
    Share,
    check_budget_change,
    covers,
    grant_within_budget,
    share_of,
    total,
)


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


def test_a_budget_covers_what_is_held_and_committed_not_a_cent_more():
    assert covers(30_546_000, 30_546_000)
    assert not covers(30_545_999, 30_546_000)
    assert covers(None, 0) and not covers(None, 1)  # no budget: nothing can be held against it


def test_staff_cannot_set_the_budget_below_what_is_held():
    with pytest.raises(DomainError) as refused:
        check_budget_change(50_000_000, 100_000, used_cents=30_546_000)  # the issue: 1.000 € while 305.460 € held
    assert refused.value.code is BudgetError.BELOW_HELD and refused.value.params == {"held": 30_546_000}
    with pytest.raises(DomainError):
        check_budget_change(50_000_000, None, used_cents=1)  # emptied while something is held
    check_budget_change(50_000_000, 30_546_000, used_cents=30_546_000)  # exactly what is held
    check_budget_change(50_000_000, None, used_cents=0)  # nothing held: the budget may be emptied
    check_budget_change(None, None, used_cents=32_388_200)  # 2016: no budget in the sources, left as it is
    check_budget_change(100_000, 100_000, used_cents=200_000)  # unchanged: the other figures can still be saved


def test_a_grant_is_committed_within_what_the_budget_still_covers():
    assert grant_within_budget(1_200_000, 50_000_000, others_used_cents=30_000_000) == 1_200_000
    assert grant_within_budget(1_200_000, 1_800_000, others_used_cents=1_200_000) == 600_000  # cut meanwhile
    assert grant_within_budget(1_200_000, 1_200_000, others_used_cents=1_200_000) == 0
    assert grant_within_budget(1_200_000, 1_000_000, others_used_cents=1_200_000) == 0  # never negative
    assert grant_within_budget(1_200_000, None, others_used_cents=99_000_000) == 1_200_000  # no budget to check
    with pytest.raises(ValueError):
        grant_within_budget(-1, 1_000_000, 0)


@given(st.integers(0, 10**9), st.integers(0, 10**9), st.integers(0, 10**9))
def test_a_grant_never_takes_the_budget_below_what_is_held(grant, budget, others):
    allowed = grant_within_budget(grant, budget, others)
    assert 0 <= allowed <= grant
    if covers(budget, others):
        assert covers(budget, others + allowed)
    if covers(budget, others + grant):
        assert allowed == grant
