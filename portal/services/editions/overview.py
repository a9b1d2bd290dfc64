"""Where an edition stands now: the call, the info session, the course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.clock import ROME
from portal.domain.timeline import CallState, EventStatus, call_state, days_until, event_status
from portal.models import Edition, Event, EventKind
from portal.services.editions.editions import events_of


@dataclass(frozen=True)
class EventState:
    event: Event
    status: EventStatus
    days_until: int
    takes_registrations: bool  # `Event.takes_registrations` at that moment


@dataclass(frozen=True)
class CourseState:
    lessons: list[Event]
    status: EventStatus  # upcoming before the first lesson, live in between, past after the last

    @property
    def first(self) -> Event:
        return self.lessons[0]

    @property
    def last(self) -> Event:
        return self.lessons[-1]


@dataclass(frozen=True)
class Overview:
    call: CallState | None
    info_session: EventState | None
    course: CourseState | None


def call_state_of(edition: Edition, now: datetime) -> CallState | None:
    if edition.applications_close_at is None:
        return None
    return call_state(edition.applications_open_at, edition.applications_close_at, now, ROME)


def event_state(event: Event, now: datetime) -> EventState:
    return EventState(
        event,
        event_status(event.starts_at, event.ends_at, now),
        days_until(event.starts_at, now, ROME),
        event.takes_registrations(now),
    )


def edition_overview(edition: Edition, now: datetime) -> Overview:
    sessions = events_of(edition, EventKind.INFO_SESSION)
    lessons = events_of(edition, EventKind.LESSON)
    course = None
    if lessons:
        course = CourseState(lessons, event_status(lessons[0].starts_at, lessons[-1].ends_at, now))
    return Overview(
        call=call_state_of(edition, now),
        info_session=event_state(sessions[0], now) if sessions else None,
        course=course,
    )
