from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from portal.domain.eligibility import LEGAL_FORMS, Applicant, Criteria, check

CRITERIA_2020 = Criteria(
    eligible_legal_forms=frozenset({"associazione", "fondazione", "impresa_sociale"}),
    requires_non_profit=True,
    requires_seat_in_milan=True,
    max_duration_months=12,
    max_cost_cents=100_000_00,
)
GOOD = Applicant("associazione", True, True, 12, 100_000_00)


def codes(applicant, criteria=CRITERIA_2020):
    return [failure.code for failure in check(applicant, criteria).failures]


def test_an_association_in_milan_within_the_limits_may_apply():
    assert check(GOOD, CRITERIA_2020).is_eligible


def test_every_failing_criterion_is_reported_at_once():
    applicant = Applicant("societa", False, False, 13, 100_000_01)
    assert codes(applicant) == ["legal_form", "non_profit", "seat_in_milan", "duration", "cost"]


def test_failures_carry_the_limits_to_explain_them():
    failures = check(replace(GOOD, duration_months=18, cost_cents=150_000_00), CRITERIA_2020).failures
    assert [f.params for f in failures] == [{"max_months": 12}, {"max_cost_cents": 100_000_00}]


def test_the_criteria_are_the_editions_data():
    wider = replace(CRITERIA_2020, eligible_legal_forms=frozenset(LEGAL_FORMS), max_duration_months=24)
    assert codes(replace(GOOD, legal_form="societa", duration_months=24), wider) == []


def test_unknown_limits_do_not_refuse():
    open_criteria = replace(CRITERIA_2020, max_duration_months=None, max_cost_cents=None)
    assert codes(replace(GOOD, duration_months=48, cost_cents=10**9), open_criteria) == []


@given(
    form=st.sampled_from(LEGAL_FORMS),
    non_profit=st.booleans(),
    seat=st.booleans(),
    months=st.integers(1, 120),
    cost=st.integers(1, 10**9),
)
def test_eligible_exactly_when_every_criterion_holds(form, non_profit, seat, months, cost):
    verdict = check(Applicant(form, non_profit, seat, months, cost), CRITERIA_2020)
    expected = (
        form in CRITERIA_2020.eligible_legal_forms and non_profit and seat and months <= 12 and cost <= 100_000_00
    )
    assert verdict.is_eligible == expected
