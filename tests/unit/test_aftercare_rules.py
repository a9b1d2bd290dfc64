"""The rules after the campaign (portal/domain/aftercare.py): when a milestone is late, how the grant
splits into instalments, paid never above committed, what an instalment plan may be."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.domain import DomainError
from portal.domain.aftercare import (
    DEFAULT_PLAN,
    INDICATORS,
    AftercareError,
    InstalmentCondition,
    MilestoneState,
    MilestoneStatus,
    PlannedInstalment,
    check_payment,
    check_plan,
    milestone_status,
    split_grant,
)
from portal.labels import INDICATOR_LABELS, MILESTONE_STATE_LABELS, MILESTONE_STATUS_LABELS
from portal.services.aftercare.milestones import today_in_rome

DUE = date(2021, 3, 1)


@pytest.mark.parametrize("state", [MilestoneState.PLANNED, MilestoneState.IN_PROGRESS])
def test_a_milestone_not_done_is_late_from_the_day_after_its_date(state):
    assert milestone_status(state, DUE, date(2021, 2, 28)) is MilestoneStatus(state.value)
    assert milestone_status(state, DUE, DUE) is MilestoneStatus(state.value)  # its own day: not yet
    assert milestone_status(state, DUE, date(2021, 3, 2)).is_late


def test_a_milestone_done_is_never_late():
    status = milestone_status(MilestoneState.DONE, DUE, date(2022, 1, 1))
    assert status.is_done and not status.is_late


def test_the_day_is_the_day_in_rome():
    # 23:30 UTC on 1 March is already 2 March in Rome: the milestone due on 1 March is late.
    evening = datetime(2021, 3, 1, 23, 30, tzinfo=UTC)
    assert today_in_rome(evening) == date(2021, 3, 2)
    assert milestone_status(MilestoneState.PLANNED, DUE, today_in_rome(evening)).is_late
    # 22:59 UTC is 23:59 in Rome, still 1 March: not late yet.
    assert not milestone_status(
        MilestoneState.PLANNED, DUE, today_in_rome(datetime(2021, 3, 1, 22, 59, tzinfo=UTC))
    ).is_late
    # Summer time: 22:30 UTC on 30 June is 00:30 on 1 July in Rome.
    assert today_in_rome(datetime(2021, 6, 30, 22, 30, tzinfo=UTC)) == date(2021, 7, 1)


@pytest.mark.parametrize("grant", [1, 99, 100, 12_000_00, 12_345_67, 999_999_99])
@pytest.mark.parametrize("percents", [(50, 50), (33, 33, 34), (30, 30, 40), (1, 99), (100,), (10, 20, 30, 40)])
def test_the_instalments_add_up_to_the_grant_exactly(grant, percents):
    plan = [PlannedInstalment(p, InstalmentCondition.START) for p in percents]
    amounts = split_grant(grant, plan)
    assert sum(amounts) == grant
    assert len(amounts) == len(percents)
    assert all(amount >= 0 for amount in amounts)
    # Each but the last is its percent rounded down.
    assert amounts[:-1] == [grant * p // 100 for p in percents[:-1]]


def test_the_default_plan_is_an_advance_and_a_balance():
    assert split_grant(12_000_01, DEFAULT_PLAN) == [6_000_00, 6_000_01]
    assert [p.condition for p in DEFAULT_PLAN] == [InstalmentCondition.START, InstalmentCondition.FINAL_REPORT]


@pytest.mark.parametrize(
    ("percents", "code"),
    [
        ((), AftercareError.PLAN_EMPTY),
        ((50, 0, 50), AftercareError.PLAN_EMPTY),
        ((60, -10, 50), AftercareError.PLAN_EMPTY),
        ((50, 40), AftercareError.PLAN_NOT_100),
        ((60, 50), AftercareError.PLAN_NOT_100),
    ],
)
def test_a_plan_has_instalments_adding_up_to_100(percents, code):
    plan = [PlannedInstalment(p, InstalmentCondition.START) for p in percents]
    with pytest.raises(DomainError) as refused:
        check_plan(plan)
    assert refused.value.code is code
    with pytest.raises(DomainError):
        split_grant(100_00, plan)


def test_paid_is_part_of_committed_never_more():
    check_payment(12_000_00, 6_000_00, 6_000_00)  # exactly all of it
    with pytest.raises(DomainError) as refused:
        check_payment(12_000_00, 6_000_00, 6_000_01)
    assert refused.value.code is AftercareError.OVER_COMMITTED
    assert refused.value.params == {"committed": 12_000_00, "paid": 6_000_00}
    with pytest.raises(DomainError):
        check_payment(0, 0, 1)


def test_every_indicator_and_every_status_has_a_name():
    assert set(INDICATOR_LABELS) == set(INDICATORS)
    assert set(MILESTONE_STATUS_LABELS) == set(MilestoneStatus)
    assert set(MILESTONE_STATE_LABELS) == set(MilestoneState)
