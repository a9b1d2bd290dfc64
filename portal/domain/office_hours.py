"""Office hours: the slots a coach publishes and the rules of booking one for a campaign's team.

A slot is an event and a booking a registration (portal/domain/registration.py decides when
registrations close and until when one can cancel); these are the rules that only office hours have.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from portal.domain import DomainError
from portal.domain.registration import registration_open, seats_left


class OfficeHourError(enum.StrEnum):
    NOT_FOUND = "not_found"  # no such slot, or not one of this coach's (the team's, the actor's)
    ENDS_BEFORE_START = "ends_before_start"
    IN_THE_PAST = "in_the_past"
    TOO_LONG = "too_long"  # longer than LONGEST
    SEATS = "seats"  # outside 1..MAX_SEATS
    NO_LINK = "no_link"  # online, without the link to join
    CLOSED = "closed"  # the slot has begun: bookings are closed
    FULL = "full"  # every seat is booked (office hours keep no waiting list)
    ALREADY_HELD = "already_held"  # the campaign already holds an upcoming slot with this coach
    BOOKED = "booked"  # a booked slot cannot be removed: the team cancels it first


# A slot is a meeting, not a day: at most this long, for at most this many people of the team.
LONGEST = timedelta(hours=4)
MAX_SEATS = 10
# How many upcoming slots with its coach a campaign may hold at once: one, so that a team cannot take
# every slot of the week; once it has met the coach (the slot has begun) it may book the next.
UPCOMING_PER_CAMPAIGN = 1


def check_slot(starts_at: datetime, ends_at: datetime, seats: int, has_link: bool, online: bool, now: datetime) -> None:
    """A slot a coach may publish: in the future, ending after it starts, at most `LONGEST`, with
    1 to `MAX_SEATS` seats, and online only with a link. Raises ``DomainError(OfficeHourError…)``."""
    if ends_at <= starts_at:
        raise DomainError(OfficeHourError.ENDS_BEFORE_START)
    if starts_at <= now:
        raise DomainError(OfficeHourError.IN_THE_PAST)
    if ends_at - starts_at > LONGEST:
        raise DomainError(OfficeHourError.TOO_LONG, hours=int(LONGEST.total_seconds() // 3600))
    if not 1 <= seats <= MAX_SEATS:
        raise DomainError(OfficeHourError.SEATS, max=MAX_SEATS)
    if online and not has_link:
        raise DomainError(OfficeHourError.NO_LINK)


def check_booking(capacity: int | None, confirmed: int, starts_at: datetime, upcoming_held: int, now: datetime) -> None:
    """Whether a campaign holding `upcoming_held` upcoming slots with this coach may book this one:
    not once it has begun, not when full (no waiting list: the team picks another slot), not a
    second upcoming slot. Raises ``DomainError(OfficeHourError…)``."""
    if not registration_open(starts_at, now):
        raise DomainError(OfficeHourError.CLOSED)
    if upcoming_held >= UPCOMING_PER_CAMPAIGN:
        raise DomainError(OfficeHourError.ALREADY_HELD)
    if seats_left(capacity, confirmed) == 0:
        raise DomainError(OfficeHourError.FULL)


def removable(active_bookings: int) -> bool:
    """A coach removes a slot nobody booked; a booked one stays until the team cancels."""
    return active_bookings == 0
