"""Seats of an event: who gets one, who waits, who moves up."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from portal.domain import DomainError


class RegistrationError(enum.StrEnum):
    CLOSED = "closed"  # registration has closed (`registration_open`)


# How long before a lesson starts its registrations close, and its registrations can no longer
# be cancelled. Every page (the form's choices, the event page's button, the calendar cards, the
# personal page) and the services ask the functions below, so changing one number here is enough.
REGISTRATION_CLOSES_BEFORE = timedelta(0)
CANCELLATION_CLOSES_BEFORE = timedelta(0)


def registration_open(starts_at: datetime, now: datetime) -> bool:
    """Whether an event starting at `starts_at` still takes registrations at `now`."""
    return now < starts_at - REGISTRATION_CLOSES_BEFORE


def cancellation_open(starts_at: datetime, now: datetime) -> bool:
    """Whether a registration for an event starting at `starts_at` can still be cancelled at `now`."""
    return now < starts_at - CANCELLATION_CLOSES_BEFORE


def changes_before_start() -> frozenset[timedelta]:
    """How long before an event's start what its pages offer changes by the clock alone: the start
    itself, the close of registrations, the close of cancellations (the page cache's time
    boundaries, portal/services/data_version.py, ask this)."""
    return frozenset({timedelta(0), REGISTRATION_CLOSES_BEFORE, CANCELLATION_CLOSES_BEFORE})


class RegistrationStatus(enum.Enum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


def status_for_new(capacity: int | None, confirmed: int, starts_at: datetime, now: datetime) -> RegistrationStatus:
    """A newcomer gets a seat while one is free, else a place on the waitlist.

    Once registration has closed (`registration_open`): raises ``DomainError(RegistrationError.CLOSED)``.
    No capacity means no limit.
    """
    if not registration_open(starts_at, now):
        raise DomainError(RegistrationError.CLOSED)
    if capacity is None or confirmed < capacity:
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED


def seats_to_fill(capacity: int | None, confirmed: int, waiting: int) -> int:
    """How many waitlisted people move up now that seats may have freed."""
    if capacity is None:
        return waiting
    return max(0, min(capacity - confirmed, waiting))


def seats_left(capacity: int | None, confirmed: int) -> int | None:
    return None if capacity is None else max(capacity - confirmed, 0)


class ReminderKind(enum.StrEnum):
    """The reminders before a lesson; the value is what `ReminderSent.kind` stores."""

    DAY_BEFORE = "24h"
    HOUR_BEFORE = "1h"

    @property
    def is_day_before(self) -> bool:
        return self is ReminderKind.DAY_BEFORE


REMINDERS = ((ReminderKind.DAY_BEFORE, timedelta(hours=24)), (ReminderKind.HOUR_BEFORE, timedelta(hours=1)))


def due_reminder(starts_at: datetime, now: datetime) -> ReminderKind | None:
    """The reminder a confirmed registrant should have by now: "1h" in the last hour,
    "24h" in the day before; None before that or once the event has started.
    Only the closest one is due: an hour before, a day-before reminder is no longer useful."""
    if now >= starts_at:
        return None
    for kind, ahead in reversed(REMINDERS):
        if starts_at - now <= ahead:
            return kind
    return None
