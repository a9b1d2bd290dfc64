"""The readiness checklist: each item met or not, its share of the score, and the edition's minimum."""

from __future__ import annotations

import pytest

from portal.domain import DomainError
from portal.domain.readiness import (
    FULL_SCORE,
    Draft,
    Item,
    ReadinessError,
    check_publishable,
    listed,
    readiness,
    words,
)

EMPTY = Draft(
    story=None, has_cover=False, has_video=False, rewards=0, team_members=None, first_supporters=None, updates_plan=None
)
READY = Draft(
    story=" ".join(["parola"] * 300),
    has_cover=True,
    has_video=True,
    rewards=3,
    team_members="Anna — coordinamento\nBruno — foto\nCarla — conti",
    first_supporters="\n".join(f"Amico {n}" for n in range(20)),
    updates_plan="Uno\nDue\nTre",
)


def with_(**changes) -> Draft:
    return Draft(**{**EMPTY.__dict__, **changes})


def test_an_empty_draft_scores_nothing_and_misses_every_item():
    state = readiness(EMPTY)
    assert state.score == 0 and state.missing == tuple(Item)
    assert [check.have for check in state.checks] == [0] * len(Item)


def test_a_ready_draft_scores_full_and_misses_nothing():
    state = readiness(READY)
    assert state.score == FULL_SCORE == 100 and state.missing == ()


@pytest.mark.parametrize(
    ("changes", "item", "weight"),
    [
        ({"story": " ".join(["w"] * 300)}, Item.STORY, 20),
        ({"has_cover": True}, Item.COVER, 15),
        ({"has_video": True}, Item.VIDEO, 10),
        ({"rewards": 3}, Item.REWARDS, 15),
        ({"team_members": "A\nB\nC"}, Item.TEAM, 15),
        ({"first_supporters": "\n".join(map(str, range(20)))}, Item.FIRST_SUPPORTERS, 15),
        ({"updates_plan": "1\n2\n3"}, Item.UPDATES_PLAN, 10),
    ],
)
def test_each_item_is_met_at_its_threshold_and_adds_its_weight(changes, item, weight):
    state = readiness(with_(**changes))
    assert state.score == weight and item not in state.missing
    assert len(state.missing) == len(Item) - 1


@pytest.mark.parametrize(
    ("changes", "item", "have"),
    [
        ({"story": " ".join(["w"] * 299)}, Item.STORY, 299),
        ({"rewards": 2}, Item.REWARDS, 2),
        ({"team_members": "A\nB"}, Item.TEAM, 2),
        ({"first_supporters": "\n".join(map(str, range(19)))}, Item.FIRST_SUPPORTERS, 19),
        ({"updates_plan": "1\n2"}, Item.UPDATES_PLAN, 2),
    ],
)
def test_one_short_of_the_threshold_is_not_met_and_says_how_far(changes, item, have):
    state = readiness(with_(**changes))
    check = next(check for check in state.checks if check.item is item)
    assert (check.have, check.needed, check.met) == (have, item.needed, False)
    assert state.score == 0


def test_blank_lines_and_repeats_whatever_their_case_do_not_count():
    assert listed("Anna\n\n   \nanna \nANNA\nBruno\r\nCarla\n") == 3
    assert listed(None) == 0 and listed("\n\n") == 0
    assert readiness(with_(team_members="Anna\nanna\nBruno\n\n")).score == 0


def test_tags_of_rich_text_are_not_words():
    assert words("<p>Un <strong>laboratorio</strong></p><p>aperto</p>") == 3
    assert words('<a href="https://esempio.it/una/lunga/strada">link</a>') == 1
    assert words(None) == 0 and words("<p></p>") == 0


def test_the_minimum_refuses_below_it_naming_what_is_missing_and_allows_at_it():
    state = readiness(with_(has_cover=True, has_video=True, rewards=3))  # 15 + 10 + 15 = 40
    assert state.score == 40
    with pytest.raises(DomainError) as refused:
        check_publishable(state, 41)
    assert refused.value.code is ReadinessError.BELOW_MINIMUM
    assert refused.value.params == {
        "score": 40,
        "minimum": 41,
        "missing": ["story", "team", "first_supporters", "updates_plan"],
    }
    check_publishable(state, 40)
    check_publishable(state, None)
    check_publishable(readiness(EMPTY), 0)
    assert state.meets(40) and not state.meets(41) and state.meets(None)
