from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain import DomainError
from portal.domain.campaign import (
    CampaignState,
    ClosingOutcome,
    closing_outcome,
    days_left,
    grant_ceiling,
    grant_to_commit,
    progress,
    state_of,
    threshold_reached,
)
from portal.domain.match_funding import MatchRule, split_cost

ROME = ZoneInfo("Europe/Rome")
RULE_2020 = MatchRule(threshold_percent=40, match_percent=60, cap_cents=60_000_00, max_cost_cents=100_000_00)
STARTS = datetime(2020, 10, 1, 0, 0, tzinfo=ROME)
ENDS = datetime(2020, 12, 1, 0, 0, tzinfo=ROME)  # exclusive: the last day is 30 November
DURING = datetime(2020, 11, 1, 12, 0, tzinfo=ROME)
LAB_BARONA_GOAL = 20_000_00
LAB_BARONA_TARGET = 8_000_00
LAB_BARONA_GRANT = 12_000_00


def rome(*parts):
    return datetime(*parts, tzinfo=ROME)


def grant(confirmed_cents, *, now=DURING, goal_cents=LAB_BARONA_GOAL, reserved_cents=LAB_BARONA_GRANT, **overrides):
    return grant_to_commit(
        overrides.pop("rule", RULE_2020),
        goal_cents=goal_cents,
        reserved_cents=reserved_cents,
        confirmed_cents=confirmed_cents,
        already_committed=overrides.pop("already_committed", False),
        now=now,
        starts_at=STARTS,
        ends_at=ENDS,
        **overrides,
    )


def test_lab_barona_target_and_grant():
    split = split_cost(LAB_BARONA_GOAL, RULE_2020)
    assert (split.citizens_target_cents, split.comune_cents) == (LAB_BARONA_TARGET, LAB_BARONA_GRANT)
    assert grant(LAB_BARONA_TARGET - 1) == 0
    assert grant(LAB_BARONA_TARGET) == LAB_BARONA_GRANT
    assert grant(LAB_BARONA_GOAL) == LAB_BARONA_GRANT


def test_the_grant_is_committed_once():
    assert grant(LAB_BARONA_TARGET, already_committed=True) == 0


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (STARTS - timedelta(seconds=1), 0),
        (STARTS, LAB_BARONA_GRANT),
        (ENDS - timedelta(microseconds=1), LAB_BARONA_GRANT),
        (ENDS, 0),
        (ENDS + timedelta(days=3), 0),
    ],
)
def test_the_grant_is_due_only_within_the_window(now, expected):
    assert grant(LAB_BARONA_TARGET, now=now) == expected


def test_never_more_than_was_reserved_nor_than_the_cap():
    assert grant(LAB_BARONA_TARGET, reserved_cents=10_000_00) == 10_000_00
    capped = MatchRule(threshold_percent=40, match_percent=60, cap_cents=50_000_00)
    assert grant(40_000_00, rule=capped, goal_cents=100_000_00, reserved_cents=60_000_00) == 50_000_00


def test_a_negative_reserve_is_refused():
    with pytest.raises(ValueError):
        grant(LAB_BARONA_TARGET, reserved_cents=-1)


rules = st.builds(
    MatchRule,
    threshold_percent=st.integers(1, 100),
    match_percent=st.integers(0, 100),
    cap_cents=st.integers(0, 10**9),
    max_cost_cents=st.none(),
)


@given(
    rule=rules,
    goal=st.integers(1, 10**10),
    reserved=st.integers(0, 10**10),
    confirmed=st.integers(0, 10**10),
    committed=st.booleans(),
    offset=st.integers(-(10**7), 10**8),
)
def test_the_grant_never_exceeds_the_reserve_the_cap_or_the_share(rule, goal, reserved, confirmed, committed, offset):
    now = STARTS + timedelta(seconds=offset)
    amount = grant(confirmed, rule=rule, goal_cents=goal, reserved_cents=reserved, already_committed=committed, now=now)
    assert 0 <= amount <= min(reserved, rule.cap_cents)
    assert amount * 100 <= goal * rule.match_percent
    split = split_cost(goal, rule)
    due = not committed and STARTS <= now < ENDS and confirmed >= split.citizens_target_cents
    room = max(goal - split.citizens_target_cents, 0)  # the target and the grant never pass the goal
    assert amount == (min(split.comune_cents, reserved, room) if due else 0)
    assert amount == 0 or split.citizens_target_cents + amount <= goal


@given(payments=st.lists(st.integers(1, 3_000_00), max_size=30))
def test_confirmations_one_after_another_commit_the_grant_exactly_once(payments):
    confirmed, committed = 0, []
    for cents in payments:
        confirmed += cents
        amount = grant(confirmed, already_committed=bool(committed))
        if amount:
            committed.append(amount)
    assert committed == ([LAB_BARONA_GRANT] if confirmed >= LAB_BARONA_TARGET else [])


def state(now, confirmed=0, committed=False):
    return state_of(STARTS, ENDS, confirmed, LAB_BARONA_TARGET, committed, now)


@pytest.mark.parametrize(
    ("now", "confirmed", "committed", "expected"),
    [
        (STARTS - timedelta(seconds=1), 0, False, CampaignState.UPCOMING),
        (STARTS, 0, False, CampaignState.LIVE),
        (DURING, LAB_BARONA_TARGET - 1, False, CampaignState.LIVE),
        (DURING, LAB_BARONA_TARGET, True, CampaignState.COFUNDED),
        (DURING, LAB_BARONA_TARGET, False, CampaignState.COFUNDED),  # committing in this very transaction
        (DURING, LAB_BARONA_TARGET - 50_00, True, CampaignState.COFUNDED),  # a refund after the commitment
        (ENDS, LAB_BARONA_TARGET, True, CampaignState.SUCCEEDED),
        (ENDS, 0, False, CampaignState.NOT_FUNDED),
        (ENDS, LAB_BARONA_TARGET, False, CampaignState.NOT_FUNDED),  # confirmed after the window
    ],
)
def test_state_of_a_campaign(now, confirmed, committed, expected):
    assert state(now, confirmed, committed) is expected


def test_threshold_is_reached_at_the_target_exactly():
    assert not threshold_reached(LAB_BARONA_TARGET - 1, LAB_BARONA_TARGET)
    assert threshold_reached(LAB_BARONA_TARGET, LAB_BARONA_TARGET)


@pytest.mark.parametrize(
    ("now", "days"),
    [
        (rome(2020, 10, 1, 10, 0), 60),
        (rome(2020, 10, 24, 12, 0), 37),  # across the change to winter time
        (rome(2020, 11, 29, 23, 59), 1),
        (rome(2020, 11, 30, 0, 0), 0),  # the last day
        (rome(2020, 11, 30, 23, 59, 59), 0),
        (datetime(2020, 11, 29, 23, 30, tzinfo=UTC), 0),  # already 30 November in Rome
        (ENDS + timedelta(days=2), 0),
    ],
)
def test_days_left_are_calendar_days_in_rome(now, days):
    assert days_left(ENDS, now, ROME) == days


def test_a_window_ending_at_noon_has_its_last_day_on_that_day():
    assert days_left(rome(2020, 12, 1, 12, 0), rome(2020, 11, 30, 18, 0), ROME) == 1


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        days_left(datetime(2020, 12, 1), DURING, ROME)
    with pytest.raises(ValueError):
        state_of(STARTS, ENDS, 0, LAB_BARONA_TARGET, False, datetime(2020, 11, 1))


@pytest.mark.parametrize(
    ("confirmed", "basis_points", "bar"),
    [
        (0, 0, 0),
        (LAB_BARONA_TARGET, 4_000, 4_000),
        (LAB_BARONA_GOAL - 1, 9_999, 9_999),  # never 100 % before the goal
        (LAB_BARONA_GOAL, 10_000, 10_000),
        (25_000_00, 12_500, 10_000),  # the bar is full, the figure is true
    ],
)
def test_progress_towards_the_goal(confirmed, basis_points, bar):
    shown = progress(confirmed, LAB_BARONA_GOAL)
    assert (shown.basis_points, shown.bar_basis_points) == (basis_points, bar)


def test_progress_needs_a_goal():
    with pytest.raises(ValueError):
        progress(0, 0)


def close(now=ENDS, committed=False):
    return closing_outcome(
        ends_at=ENDS,
        now=now,
        grant_committed=committed,
        pending_references=["CC2020-PENDING"],
        confirmed_references=["CC2020-PAID-1", "CC2020-PAID-2"],
    )


def test_a_campaign_not_funded_cancels_pending_pledges_and_lists_confirmed_ones_for_refund():
    assert close() == ClosingOutcome(
        CampaignState.NOT_FUNDED, to_cancel=("CC2020-PENDING",), to_refund=("CC2020-PAID-1", "CC2020-PAID-2")
    )


def test_a_campaign_that_succeeded_cancels_pending_pledges_and_refunds_nothing():
    assert close(committed=True) == ClosingOutcome(CampaignState.SUCCEEDED, to_cancel=("CC2020-PENDING",), to_refund=())


def test_a_campaign_is_not_closed_before_its_window_ends():
    with pytest.raises(DomainError) as error:
        close(now=ENDS - timedelta(seconds=1))
    assert error.value.code == "still_open"
    with pytest.raises(ValueError):
        close(now=datetime(2020, 12, 2))


def test_the_campaigns_own_target_wins_over_a_later_rule():
    """The target citizens saw at launch is the one that unlocks the grant, whatever the rule says now."""
    assert grant(LAB_BARONA_TARGET, target_cents=LAB_BARONA_TARGET + 1) == 0
    # ...and the grant then fills the goal, never more: 8.000,01 € + 11.999,99 € = 20.000 €.
    assert grant(LAB_BARONA_TARGET + 1, target_cents=LAB_BARONA_TARGET + 1) == LAB_BARONA_GRANT - 1


def test_the_target_and_the_grant_never_pass_the_goal():
    """Quel verde in fondo al tunnel: a real target of 4.200 € on a 10.450 € project leaves
    6.250 € to the Comune, not the rule's 60 % (6.270 €); a target below the rule's leaves the
    rule's share, since the Comune never gives more than its share."""
    assert grant_ceiling(goal_cents=10_450_00, target_cents=4_200_00, share_cents=6_270_00) == 6_250_00
    assert grant_ceiling(goal_cents=10_450_00, target_cents=4_000_00, share_cents=6_270_00) == 6_270_00
    assert grant_ceiling(goal_cents=10_000_00, target_cents=12_000_00, share_cents=6_000_00) == 0
    reached = grant(4_200_00, goal_cents=10_450_00, target_cents=4_200_00, reserved_cents=6_270_00)
    assert reached == 6_250_00 and 4_200_00 + reached == 10_450_00
