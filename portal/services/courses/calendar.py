"""The course calendar: an edition's events in order, each with its state and seats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.clock import ROME
from portal.domain.registration import RegistrationStatus, seats_left
from portal.domain.timeline import EventStatus, event_status
from portal.extensions import db
from portal.models import Edition, Event, Registrant
from portal.services.courses.registrations import confirmed_count, count_per_event


@dataclass(frozen=True)
class CalendarItem:
    event: Event
    status: EventStatus
    seats_left: int | None
    takes_registrations: bool  # `Event.takes_registrations` at the calendar's moment

    @property
    def month(self) -> tuple[int, int]:
        local = self.event.starts_at.astimezone(ROME)
        return local.year, local.month

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0

    @property
    def has_seat_count(self) -> bool:
        """A lesson with a number of seats (no capacity means no limit, and no count to show)."""
        return self.seats_left is not None


def calendar(edition: Edition, now: datetime) -> list[CalendarItem]:
    """Every event of the edition with its confirmed count, in one query."""
    confirmed = count_per_event(RegistrationStatus.CONFIRMED)
    rows = db.session.execute(
        db.select(Event, confirmed).filter_by(edition_id=edition.id).order_by(Event.starts_at)
    ).all()
    return [
        CalendarItem(
            e, event_status(e.starts_at, e.ends_at, now), seats_left(e.capacity, n), e.takes_registrations(now)
        )
        for e, n in rows
    ]


def seats_left_for(event: Event) -> int | None:
    return seats_left(event.capacity, confirmed_count(event.id))


def lessons_to_add(registrant: Registrant, edition: Edition | None, now: datetime) -> list[CalendarItem]:
    """The edition's lessons a registrant could still take from their personal page: those taking
    registrations now that they hold no seat or waiting place for (a cancelled one can be taken again)."""
    if edition is None:
        return []
    held = {r.event_id for r in registrant.active_registrations}
    return [item for item in calendar(edition, now) if item.takes_registrations and item.event.id not in held]
