from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain import DomainError
from portal.domain.registration import RegistrationStatus, due_reminder, seats_left, seats_to_fill, status_for_new

START = datetime(2020, 6, 15, 14, 0, tzinfo=UTC)
BEFORE = START - timedelta(days=1)


def test_a_free_seat_confirms_and_a_full_event_waitlists():
    assert status_for_new(30, 29, START, BEFORE) is RegistrationStatus.CONFIRMED
    assert status_for_new(30, 30, START, BEFORE) is RegistrationStatus.WAITLISTED
    assert status_for_new(None, 10_000, START, BEFORE) is RegistrationStatus.CONFIRMED


def test_registration_closes_when_the_event_starts():
    with pytest.raises(DomainError) as error:
        status_for_new(30, 0, START, START)
    assert error.value.code == "closed"
    assert status_for_new(30, 0, START, START - timedelta(seconds=1)) is RegistrationStatus.CONFIRMED


@given(capacity=st.integers(0, 500), confirmed=st.integers(0, 500), waiting=st.integers(0, 500))
def test_promotion_never_overfills(capacity, confirmed, waiting):
    moved = seats_to_fill(capacity, confirmed, waiting)
    assert 0 <= moved <= waiting
    assert confirmed + moved <= max(capacity, confirmed)
    if confirmed < capacity:
        assert moved == min(capacity - confirmed, waiting)


def test_seats_left():
    assert seats_left(30, 12) == 18
    assert seats_left(30, 31) == 0
    assert seats_left(None, 5) is None


@pytest.mark.parametrize(
    ("before", "kind"),
    [
        (timedelta(hours=30), None),
        (timedelta(hours=24), "24h"),
        (timedelta(hours=2), "24h"),
        (timedelta(hours=1), "1h"),
        (timedelta(minutes=1), "1h"),
        (timedelta(0), None),
        (timedelta(minutes=-5), None),
    ],
)
def test_which_reminder_is_due(before, kind):
    assert due_reminder(START, START - before) == kind
