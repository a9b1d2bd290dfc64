import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain import DomainError
from portal.domain.match_funding import MatchRule, cost_at_cap, split_cost

RULE_2020 = MatchRule(threshold_percent=40, match_percent=60, cap_cents=60_000_00, max_cost_cents=100_000_00)


@pytest.mark.parametrize(
    ("cost", "citizens", "comune"),
    [
        (20_000_00, 8_000_00, 12_000_00),
        (50_000_00, 20_000_00, 30_000_00),
        (100_000_00, 40_000_00, 60_000_00),
        (20_000_50, 8_000_20, 12_000_30),  # the design's rounding example
        (1, 1, 0),  # one cent: the target rounds up, the Comune's share down
    ],
)
def test_the_2020_rule(cost, citizens, comune):
    split = split_cost(cost, RULE_2020)
    assert (split.citizens_target_cents, split.comune_cents) == (citizens, comune)
    assert not split.is_capped


def test_over_the_maximum_cost_is_refused_with_the_limit():
    with pytest.raises(DomainError) as error:
        split_cost(100_000_01, RULE_2020)
    assert error.value.code == "over_max_cost"
    assert error.value.params == {"max_cost_cents": 100_000_00}


@pytest.mark.parametrize("cost", [0, -1])
def test_a_cost_must_be_positive(cost):
    with pytest.raises(DomainError) as error:
        split_cost(cost, RULE_2020)
    assert error.value.code == "not_positive"


def test_a_lower_cap_bites_and_leaves_a_gap_to_cover():
    rule = MatchRule(threshold_percent=40, match_percent=60, cap_cents=50_000_00, max_cost_cents=100_000_00)
    split = split_cost(100_000_00, rule)
    assert split.is_capped
    assert split.comune_cents == 50_000_00
    assert split.citizens_target_cents == 40_000_00
    assert split.uncovered_cents == 10_000_00
    assert cost_at_cap(rule) == 83_333_34


def test_invalid_rules_are_refused():
    with pytest.raises(ValueError):
        MatchRule(threshold_percent=0, match_percent=60, cap_cents=1)
    with pytest.raises(ValueError):
        MatchRule(threshold_percent=40, match_percent=101, cap_cents=1)


rules = st.builds(
    MatchRule,
    threshold_percent=st.integers(1, 100),
    match_percent=st.integers(0, 100),
    cap_cents=st.integers(0, 10**9),
    max_cost_cents=st.none(),
)


@given(cost=st.integers(1, 10**11), rule=rules)
def test_rounding_never_favours_spending(cost, rule):
    split = split_cost(cost, rule)
    # The Comune never pays more than its percentage nor more than the cap.
    assert split.comune_cents * 100 <= cost * rule.match_percent
    assert split.comune_cents <= rule.cap_cents
    # The citizens' target is never below its percentage.
    assert split.citizens_target_cents * 100 >= cost * rule.threshold_percent
    assert split.citizens_target_cents <= cost


@given(cost=st.integers(1, 10**11), threshold=st.integers(1, 99))
def test_uncapped_shares_add_up_to_the_cost_exactly(cost, threshold):
    rule = MatchRule(threshold_percent=threshold, match_percent=100 - threshold, cap_cents=10**12)
    split = split_cost(cost, rule)
    assert split.citizens_target_cents + split.comune_cents == cost
    assert split.uncovered_cents == 0


@given(cost=st.integers(1, 100_000_00))
def test_the_comune_share_grows_with_the_cost(cost):
    assert split_cost(cost, RULE_2020).comune_cents <= split_cost(min(cost + 1, 100_000_00), RULE_2020).comune_cents
