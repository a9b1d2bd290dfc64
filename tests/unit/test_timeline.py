from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.domain.timeline import CallStatus, EventStatus, call_state, days_until, event_status

ROME = ZoneInfo("Europe/Rome")
CLOSES = datetime(2020, 8, 1, 0, 0, tzinfo=ROME)


def rome(*parts):
    return datetime(*parts, tzinfo=ROME)


def test_open_on_1_june_with_60_days_left():
    state = call_state(None, CLOSES, rome(2020, 6, 1, 10, 0), ROME)
    assert state.status is CallStatus.OPEN
    assert state.days_left == 60
    assert state.last_day == date(2020, 7, 31)


def test_last_second_accepted_first_second_of_august_refused():
    assert call_state(None, CLOSES, rome(2020, 7, 31, 23, 59, 59), ROME).status is CallStatus.OPEN
    assert call_state(None, CLOSES, rome(2020, 7, 31, 23, 59, 59), ROME).days_left == 0
    assert call_state(None, CLOSES, rome(2020, 8, 1, 0, 0, 0), ROME).status is CallStatus.CLOSED


def test_days_are_counted_in_rome_not_in_utc():
    # 22:30 UTC on 30 July is already 31 July in Rome: the last day, whatever UTC says.
    late = datetime(2020, 7, 30, 22, 30, tzinfo=UTC)
    assert call_state(None, CLOSES, late, ROME).days_left == 0


def test_upcoming_before_opening():
    state = call_state(rome(2020, 5, 15, 9, 0), CLOSES, rome(2020, 5, 1, 9, 0), ROME)
    assert state.status is CallStatus.UPCOMING


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        call_state(None, CLOSES, datetime(2020, 6, 1, 10, 0), ROME)


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (rome(2020, 6, 3, 15, 29, 59), EventStatus.UPCOMING),
        (rome(2020, 6, 3, 15, 30), EventStatus.LIVE),
        (rome(2020, 6, 3, 16, 59, 59), EventStatus.LIVE),
        (rome(2020, 6, 3, 17, 0), EventStatus.PAST),
    ],
)
def test_event_status_around_the_info_session(now, status):
    assert event_status(rome(2020, 6, 3, 15, 30), rome(2020, 6, 3, 17, 0), now) is status


def test_days_until_counts_calendar_days():
    assert days_until(rome(2020, 6, 3, 15, 30), rome(2020, 6, 1, 10, 0), ROME) == 2
    assert days_until(rome(2020, 6, 3, 15, 30), rome(2020, 6, 2, 23, 59), ROME) == 1
