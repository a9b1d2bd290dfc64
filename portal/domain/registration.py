"""Seats of an event: who gets one, who waits, who moves up."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from portal.domain import DomainError


class RegistrationStatus(enum.Enum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


def status_for_new(capacity: int | None, confirmed: int, starts_at: datetime, now: datetime) -> RegistrationStatus:
    """A newcomer gets a seat while one is free, else a place on the waitlist.

    Registration closes when the event starts: raises ``DomainError("closed")``.
    No capacity means no limit.
    """
    if now >= starts_at:
        raise DomainError("closed")
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


REMINDERS = (("24h", timedelta(hours=24)), ("1h", timedelta(hours=1)))


def due_reminder(starts_at: datetime, now: datetime) -> str | None:
    """The reminder a confirmed registrant should have by now: "1h" in the last hour,
    "24h" in the day before; None before that or once the event has started.
    Only the closest one is due: an hour before, a day-before reminder is no longer useful."""
    if now >= starts_at:
        return None
    for kind, ahead in reversed(REMINDERS):
        if starts_at - now <= ahead:
            return kind
    return None
