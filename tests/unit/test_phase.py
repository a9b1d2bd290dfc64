"""The rule of what a person can do today (`portal.domain.phase`), from an edition's dates and the clock."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.domain.phase import CampaignCounts, EditionFacts, Moment, Window, last_minute, today

ROME = ZoneInfo("Europe/Rome")
CLOSES = datetime(2020, 8, 1, 0, 0, tzinfo=ROME)  # exclusive: the last day is 31 July
SESSION = Window(datetime(2020, 6, 3, 15, 30, tzinfo=ROME), datetime(2020, 6, 3, 17, 0, tzinfo=ROME))
FACTS = EditionFacts(call_closes_at=CLOSES, info_session=SESSION, results_expected_on=date(2020, 10, 15))


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ROME)


def test_moments_overlap_and_keep_their_order():
    facts = EditionFacts(call_closes_at=CLOSES, info_session=SESSION, lessons_taking_registrations=3)
    now = today(facts, at(2020, 6, 3, 15, 45), ROME)
    assert now.moments == (Moment.INFO_SESSION_LIVE, Moment.CALL_OPEN, Moment.REGISTRATIONS_OPEN)
    assert now.on_page == (Moment.CALL_OPEN, Moment.REGISTRATIONS_OPEN)  # the banner shows the session
    assert now.info_session_live and now.call_open and now.registrations_open


def test_the_session_is_live_from_its_start_until_its_end():
    assert not today(FACTS, at(2020, 6, 3, 15, 29), ROME).info_session_live
    assert today(FACTS, at(2020, 6, 3, 15, 30), ROME).info_session_live
    assert not today(FACTS, at(2020, 6, 3, 17, 0), ROME).info_session_live


def test_the_deadline_reads_as_the_last_minute_of_the_last_day():
    assert last_minute(CLOSES, ROME) == at(2020, 7, 31, 23, 59)
    assert last_minute(at(2020, 7, 31, 12, 0), ROME) == at(2020, 7, 31, 12, 0)
    state = today(FACTS, at(2020, 6, 1, 10, 0), ROME)
    assert state.deadline == at(2020, 7, 31, 23, 59) and state.call.days_left == 60
    assert today(FACTS, at(2020, 7, 31, 23, 58), ROME).call.days_left == 0


def test_the_call_upcoming_then_open_then_closed():
    facts = EditionFacts(call_opens_at=at(2020, 6, 1, 9, 0), call_closes_at=CLOSES)
    assert today(facts, at(2020, 5, 31, 12, 0), ROME).moments == (Moment.CALL_UPCOMING,)
    assert today(facts, at(2020, 6, 1, 9, 0), ROME).moments == (Moment.CALL_OPEN,)
    assert today(facts, CLOSES, ROME).moments == (Moment.EVALUATION,)


@pytest.mark.parametrize(
    ("now", "campaigns", "ranking", "evaluating"),
    [
        (at(2020, 9, 15, 10, 0), CampaignCounts(), False, True),
        (at(2020, 10, 15, 23, 0), CampaignCounts(open=2), False, True),  # not before the expected day
        (at(2020, 10, 16, 0, 0), CampaignCounts(open=2), False, False),  # campaigns public after it
        (at(2020, 12, 1, 10, 0), CampaignCounts(), False, True),  # late: still evaluating
        (at(2020, 9, 15, 10, 0), CampaignCounts(), True, False),  # ranking published
        (at(2020, 9, 5, 10, 0), CampaignCounts(), False, True),  # not yet published
    ],
)
def test_the_evaluation_lasts_until_the_results_are_out(now, campaigns, ranking, evaluating):
    facts = EditionFacts(
        call_closes_at=CLOSES, results_expected_on=date(2020, 10, 15), ranking_public=ranking, campaigns=campaigns
    )
    assert today(facts, now, ROME).evaluation is evaluating


def test_the_expected_day_is_shown_while_it_is_ahead():
    assert today(FACTS, at(2020, 10, 15, 20, 0), ROME).results_expected_on == date(2020, 10, 15)
    assert today(FACTS, at(2020, 10, 16, 0, 0), ROME).results_expected_on is None


def test_campaigns_then_results():
    upcoming = EditionFacts(call_closes_at=CLOSES, campaigns=CampaignCounts(upcoming=3))
    assert today(upcoming, at(2020, 11, 1, 10, 0), ROME).on_page == (Moment.CAMPAIGNS,)
    running = EditionFacts(call_closes_at=CLOSES, campaigns=CampaignCounts(open=2, over=1))
    assert today(running, at(2020, 11, 1, 10, 0), ROME).on_page == (Moment.CAMPAIGNS,)
    over = EditionFacts(call_closes_at=CLOSES, campaigns=CampaignCounts(over=16))
    assert today(over, at(2021, 6, 1, 10, 0), ROME).on_page == (Moment.RESULTS,)


def test_an_edition_without_dates_has_no_moment():
    state = today(EditionFacts(), at(2020, 6, 1, 10, 0), ROME)
    assert state.moments == () and state.call is None and state.deadline is None


def test_now_must_carry_its_zone():
    with pytest.raises(ValueError):
        today(FACTS, datetime(2020, 6, 1, 10, 0), ROME)
