"""The course calendar: an edition's events in order, each with its state and seats.

Events change only with the data (a registration changes the seats stored on its event), so the
programme is read once per data version (`data_version.memo`) for every page of the process: the
calendar, the event pages, the call and home pages, the layout's live banner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, joinedload

from portal.clock import ROME
from portal.domain.registration import seats_left
from portal.domain.timeline import EventStatus, event_status
from portal.extensions import db
from portal.models import Edition, Event, EventKind, Registrant
from portal.services import data_version
from portal.services.courses.registrations import confirmed_count


@dataclass(frozen=True)
class Programme:
    """Every event of every edition but the coaches' office hours, read-only rows detached from any
    session, by the event's start. The programme is the portal's few dozen events a year, never the city's size."""

    events: tuple[Event, ...]

    def of(self, edition_id: int, kind: EventKind | None = None) -> list[Event]:
        return [e for e in self.events if e.edition_id == edition_id and (kind is None or e.kind is kind)]

    def by_slug(self, slug: str) -> Event | None:
        return next((e for e in self.events if e.slug == slug), None)


def _read_programme() -> Programme:
    # A session of its own: the rows kept across requests never belong to (nor are refreshed or
    # expired by) a request's session; their edition is loaded with them (an event page's breadcrumb).
    # It reads through the request's own connection: a second one, taken while the request holds row
    # locks (a pledge confirmed renders its e-mail), could wait for a pool those very locks keep full.
    # Office hours are a coach's slots for the teams, never the public programme (nor its pages,
    # its calendar file, the home and call pages, the phase of the edition, the live banner).
    with Session(bind=db.session.connection()) as session:
        events = session.scalars(
            db.select(Event)
            .where(Event.kind != EventKind.OFFICE_HOUR)
            .options(joinedload(Event.edition))
            .order_by(Event.starts_at, Event.id)
        ).all()
        session.expunge_all()
    return Programme(tuple(events))


def programme() -> Programme:
    """The events as of this request's data version, read once per version per process."""
    return data_version.memo("courses.programme", _read_programme)


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
    """Every event of the edition with its seats left (stored on the event), without a query once
    the programme of this data version is read."""
    return [
        CalendarItem(
            e,
            event_status(e.starts_at, e.ends_at, now),
            seats_left(e.capacity, confirmed_count(e)),
            e.takes_registrations(now),
        )
        for e in programme().of(edition.id)
    ]


def seats_left_for(event: Event) -> int | None:
    return seats_left(event.capacity, confirmed_count(event))


def lessons_to_add(registrant: Registrant, edition: Edition | None, now: datetime) -> list[CalendarItem]:
    """The edition's lessons a registrant could still take from their personal page: those taking
    registrations now that they hold no seat or waiting place for (a cancelled one can be taken again)."""
    if edition is None:
        return []
    held = {r.event_id for r in registrant.active_registrations}
    return [item for item in calendar(edition, now) if item.takes_registrations and item.event.id not in held]
