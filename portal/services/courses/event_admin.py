"""Staff managing an event: its seats, links and materials, and who signed up."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum

from portal.domain import DomainError
from portal.domain.registration import RegistrationStatus
from portal.extensions import db
from portal.models import Event, EventKind, Registration, User
from portal.services import audit
from portal.services.courses.registrations import confirmed_count, count_per_event, locked_event, promote_waiting
from portal.services.transaction import transactional


class EventAdminError(StrEnum):
    CAPACITY_BELOW_CONFIRMED = "capacity_below_confirmed"


@dataclass(frozen=True)
class EventSettings:
    capacity: int | None
    join_url: str | None
    recording_url: str | None
    materials_url: str | None


def settings_of(event: Event) -> EventSettings:
    return EventSettings(event.capacity, event.join_url, event.recording_url, event.materials_url)


@transactional
def update_event(event_id: int, settings: EventSettings, actor: User, now: datetime) -> list[Registration]:
    """Change an event's settings in one transaction, recorded in the audit log.

    Raising the capacity of an event that has not started moves the first people waiting up
    (each told by e-mail); the capacity can never drop below the seats already confirmed:
    ``DomainError(EventAdminError.CAPACITY_BELOW_CONFIRMED, confirmed=N)``. Returns the promoted registrations.
    """
    event = locked_event(event_id)
    confirmed = confirmed_count(event)
    if settings.capacity is not None and settings.capacity < confirmed:
        raise DomainError(EventAdminError.CAPACITY_BELOW_CONFIRMED, confirmed=confirmed)
    before = asdict(settings_of(event))
    for field, value in asdict(settings).items():
        setattr(event, field, value)
    changes = audit.diff(before, asdict(settings))
    promoted: list[Registration] = []
    if "capacity" in changes and now < event.starts_at:
        db.session.flush()
        promoted = promote_waiting(event, now)
    if changes:
        if promoted:
            changes["promoted_from_waitlist"] = [None, len(promoted)]
        audit.record(actor, "event.update", "event", event.id, now, label=event.title_it, changes=changes)
    return promoted


@dataclass(frozen=True)
class Attendance:
    confirmed: list[Registration]
    waitlisted: list[Registration]
    cancelled: list[Registration]


def attendance(event: Event) -> Attendance:
    """Who holds a seat (in the order they got it), who waits (in line order), who cancelled."""
    rows = db.session.scalars(
        db.select(Registration)
        .filter_by(event_id=event.id)
        .options(db.joinedload(Registration.registrant))
        .order_by(Registration.created_at, Registration.id)
    ).all()

    def of(status: RegistrationStatus, key) -> list[Registration]:
        return sorted((r for r in rows if r.status is status), key=lambda r: (key(r) or r.created_at, r.id))

    return Attendance(
        confirmed=of(RegistrationStatus.CONFIRMED, lambda r: r.confirmed_at),
        waitlisted=of(RegistrationStatus.WAITLISTED, lambda r: r.waitlisted_at),
        cancelled=of(RegistrationStatus.CANCELLED, lambda r: r.cancelled_at),
    )


def events_for_staff() -> list[tuple[Event, int, int]]:
    """Every event of the programme, newest edition first, with its confirmed (stored) and waiting
    counts (one query). The coaches' office hours are on the coaches' page, not here."""
    waiting = count_per_event(RegistrationStatus.WAITLISTED)
    rows = db.session.execute(
        db.select(Event, waiting).where(Event.kind != EventKind.OFFICE_HOUR).order_by(Event.starts_at.desc())
    ).all()
    return [(event, confirmed_count(event), waiting) for event, waiting in rows]
