from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from portal.domain.ics import CalendarEntry, build_calendar

ROME = ZoneInfo("Europe/Rome")


def lesson(day: int) -> CalendarEntry:
    return CalendarEntry(
        uid=f"lesson-{day}@example.org",
        summary="Lezione",
        starts_at=datetime(2020, 6, day, 16, 0, tzinfo=ROME),
        ends_at=datetime(2020, 6, day, 18, 0, tzinfo=ROME),
        url="https://example.org/eventi/lezione",
    )


def test_times_are_written_in_rome_with_a_timezone_definition():
    raw = build_calendar([lesson(15)], stamp=datetime(2020, 6, 1, tzinfo=UTC), tz=ROME)
    assert b"DTSTART;TZID=Europe/Rome:20200615T160000" in raw
    assert b"BEGIN:VTIMEZONE" in raw
    cal = icalendar.Calendar.from_ical(raw)
    (event,) = cal.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start.astimezone(UTC) == datetime(2020, 6, 15, 14, 0, tzinfo=UTC)
    assert event.decoded("dtend") - start == timedelta(hours=2)


def test_a_file_can_hold_several_events_with_unique_ids():
    raw = build_calendar([lesson(15), lesson(22), lesson(29)], stamp=datetime(2020, 6, 1, tzinfo=UTC), tz=ROME)
    events = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [
        "lesson-15@example.org",
        "lesson-22@example.org",
        "lesson-29@example.org",
    ]


def test_naive_times_are_refused():
    naive = CalendarEntry("x", "x", datetime(2020, 6, 15, 16), datetime(2020, 6, 15, 18))
    with pytest.raises(ValueError):
        build_calendar([naive], stamp=datetime(2020, 6, 1, tzinfo=UTC), tz=ROME)
