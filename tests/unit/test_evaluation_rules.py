from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain import DomainError
from portal.domain.evaluation import (
    Budget,
    Criterion,
    rank,
    reserve,
    rubric_bands,
    rubric_outside_scale,
    weighted_score,
)

CRITERIA = [Criterion("impatto", 40, 10), Criterion("fattibilita", 30, 10), Criterion("comunita", 30, 5)]


def test_a_weighted_score_is_out_of_100():
    assert weighted_score(CRITERIA, {"impatto": 10, "fattibilita": 10, "comunita": 5}) == Decimal("100.00")
    assert weighted_score(CRITERIA, {"impatto": 5, "fattibilita": 0, "comunita": 5}) == Decimal("50.00")
    assert weighted_score(CRITERIA, {"impatto": 7, "fattibilita": 6, "comunita": 3}) == Decimal("64.00")


@pytest.mark.parametrize(
    ("scores", "code"),
    [
        ({"impatto": 5, "fattibilita": 5}, "missing_score"),
        ({"impatto": 11, "fattibilita": 5, "comunita": 5}, "out_of_range"),
    ],
)
def test_every_criterion_is_scored_within_its_range(scores, code):
    with pytest.raises(DomainError) as error:
        weighted_score(CRITERIA, scores)
    assert error.value.code == code


@given(st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10), st.integers(0, 5)), min_size=1, max_size=5))
def test_scores_stay_between_0_and_100(triples):
    for a, b, c in triples:
        assert 0 <= weighted_score(CRITERIA, {"impatto": a, "fattibilita": b, "comunita": c}) <= 100


def test_the_ranking_puts_the_best_average_first_and_unfinished_last():
    ranking = rank({1: [Decimal(70), Decimal(90)], 2: [Decimal(85), Decimal(85)], 3: [Decimal(99)]})
    assert [r.application_id for r in ranking] == [2, 1, 3]
    assert (ranking[1].average, ranking[1].spread) == (Decimal("80.00"), Decimal(20))
    assert ranking[2].average is None and ranking[2].evaluations == 1


def test_a_reservation_never_overspends_the_budget():
    budget = Budget(total_cents=50_000_000, reserved_cents=0)
    budget = reserve(budget, 6_000_000)
    assert budget.left_cents == 44_000_000
    with pytest.raises(DomainError) as error:
        reserve(Budget(10_000_000, 9_000_000), 1_200_000)
    assert error.value.params == {"budget": 10_000_000, "reserved": 9_000_000, "left": 1_000_000, "needed": 1_200_000}


@given(st.integers(0, 10**9), st.lists(st.integers(0, 10**8), max_size=20))
def test_reserving_in_any_order_stays_within_the_budget(total, amounts):
    budget = Budget(total, 0)
    for amount in amounts:
        try:
            budget = reserve(budget, amount)
        except DomainError:
            continue
    assert 0 <= budget.reserved_cents <= total


def test_a_rubric_is_read_one_band_a_line():
    bands = rubric_bands("0–2: Nulla di concreto.\r\n\n 3-5 : Qualcosa.\n10: Tutto.\nSenza fascia: solo testo")
    assert [(b.scores, b.text) for b in bands] == [
        ("0–2", "Nulla di concreto."),
        ("3–5", "Qualcosa."),
        ("10", "Tutto."),
        (None, "Senza fascia: solo testo"),
    ]
    assert rubric_bands(None) == rubric_bands("  \n ") == []


def test_a_rubric_outside_the_scale_is_found():
    assert rubric_outside_scale("0–5: Poco.\n6–12: Molto.", 10)
    assert not rubric_outside_scale("0–5: Poco.\n6–10: Molto.\nNote a margine.", 10)
    assert not rubric_outside_scale(None, 10)
