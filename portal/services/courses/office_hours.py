"""Office hours: a coach's slots, and a campaign's team booking one.

A slot is an `Event` (`EventKind.OFFICE_HOUR`, `coach_id`) and a booking a `Registration` (through the
team member's `Registrant`, by e-mail, with `campaign_id`): the seats stored on the event under its
lock, the closing and cancelling windows, the calendar files, the reminders (`flask send-reminders`)
and the person's own page are those of the course registrations (services/courses/registrations.py).

A slot belongs to no edition (`edition_id` is None) and the programme leaves office hours out
(services/courses/calendar.py `_read_programme`), so none of the public pages, feeds or the
edition's phase ever sees one. The rules only office hours have: portal/domain/office_hours.py.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.domain import DomainError
from portal.domain.office_hours import OfficeHourError, check_booking, check_slot, removable
from portal.domain.registration import RegistrationStatus, seats_left
from portal.extensions import db
from portal.models import Campaign, Event, EventKind, Registration, ReminderSent, Role, User, Venue
from portal.services import audit
from portal.services.campaigns.locking import locked_campaign
from portal.services.courses import registration_mail, registrations
from portal.services.transaction import transactional


def _may_act_for(coach: User, actor: User) -> bool:
    """A coach acts on their own slots; staff on anyone's."""
    return actor.role is Role.STAFF or actor.id == coach.id


@transactional
def add_office_hour(
    coach: User,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    venue: Venue,
    join_url: str | None,
    actor: User,
    now: datetime,
    *,
    place: str | None = None,
) -> Event:
    """Publish a slot of `coach` (online with `join_url`, or in person at `place`). Refused with
    ``DomainError(OfficeHourError…)`` (portal/domain/office_hours.py `check_slot`)."""
    if not _may_act_for(coach, actor) or coach.role not in (Role.COACH, Role.STAFF):
        raise DomainError(OfficeHourError.NOT_FOUND)
    online = venue is not Venue.IN_PERSON
    check_slot(starts_at, ends_at, capacity, bool(join_url), online, now)
    event = Event(
        edition_id=None,
        kind=EventKind.OFFICE_HOUR,
        slug=f"ricevimento-{coach.id}-{starts_at.astimezone(UTC):%Y%m%d%H%M}-{secrets.token_hex(4)}",
        title_it=f"Ricevimento con {coach.name}",
        title_en=f"Office hour with {coach.name}",
        summary_it=None if online else place,
        summary_en=None if online else place,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        join_url=join_url if online else None,
        is_join_url_public=False,
        capacity=capacity,
        coach_id=coach.id,
    )
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "office_hour.add", "event", event.id, now, label=event.title_it)
    return event


def _active(event_id: int):
    return sa.and_(Registration.event_id == event_id, Registration.status != RegistrationStatus.CANCELLED)


@transactional
def remove_office_hour(event_id: int, actor: User, now: datetime) -> None:
    """Remove a slot nobody holds; a booked one is refused (``OfficeHourError.BOOKED``): the team
    cancels it first (the coach has their names and addresses on the page), so nobody learns of a
    meeting gone only from a missing calendar entry. Bookings cancelled earlier go with it."""
    event = db.session.get(Event, event_id)
    if event is None or not event.is_office_hour:
        raise DomainError(OfficeHourError.NOT_FOUND)
    event = registrations.locked_event(event_id)
    if not (actor.role is Role.STAFF or event.coach_id == actor.id):
        raise DomainError(OfficeHourError.NOT_FOUND)
    active = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(_active(event.id)))
    if not removable(active):
        raise DomainError(OfficeHourError.BOOKED)
    held = sa.select(Registration.id).where(Registration.event_id == event.id)
    db.session.execute(sa.delete(ReminderSent).where(ReminderSent.registration_id.in_(held)))
    db.session.execute(sa.delete(Registration).where(Registration.event_id == event.id))
    audit.record(actor, "office_hour.remove", "event", event.id, now, label=event.title_it)
    db.session.delete(event)


def _upcoming_held(campaign_id: int, coach_id: int, now: datetime) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.campaign_id == campaign_id,
            Registration.status != RegistrationStatus.CANCELLED,
            Event.kind == EventKind.OFFICE_HOUR,
            Event.coach_id == coach_id,
            Event.starts_at > now,
        )
    )


@transactional
def book(event_id: int, campaign: Campaign, user: User, now: datetime) -> Registration:
    """`user`, of the campaign's team, books a slot of the campaign's coach: a seat taken under the
    event's lock like a lesson's, tied to the campaign, confirmed by e-mail with the calendar file;
    the coach is told. The campaign's row is locked first, so two members of a team booking at once
    are counted one after the other (`UPCOMING_PER_CAMPAIGN`). Raises ``DomainError(OfficeHourError…)``."""
    campaign = locked_campaign(campaign.id)
    event = db.session.get(Event, event_id)
    if event is None or not event.is_office_hour or campaign.coach_id is None or event.coach_id != campaign.coach_id:
        raise DomainError(OfficeHourError.NOT_FOUND)
    event = registrations.locked_event(event_id)
    check_booking(
        event.capacity,
        registrations.confirmed_count(event),
        event.starts_at,
        _upcoming_held(campaign.id, campaign.coach_id, now),
        now,
    )
    sign_up = registrations.SignUp(user.name, user.email, campaign.organisation_name, user.lang, (event.id,))
    outcome = registrations.take_seat(sign_up, now)
    if outcome.already:  # this person holds it already, for another campaign
        raise DomainError(OfficeHourError.ALREADY_HELD)
    if outcome.closed or not outcome.confirmed:
        raise DomainError(OfficeHourError.CLOSED)
    (registration,) = outcome.confirmed
    registration.campaign_id = campaign.id
    db.session.flush()
    registration_mail.queue_office_hour_booked(registration, campaign, db.session.get(User, event.coach_id), now)
    return registration


@transactional
def cancel_booking(registration_id: int, campaign: Campaign, now: datetime) -> None:
    """A member of the team cancels one of the campaign's bookings (the cancellation of every
    registration: until the slot begins); the coach is told. ``OfficeHourError.NOT_FOUND`` for a
    booking that is not the campaign's, ``CancellationError.STARTED`` once it has begun."""
    campaign = locked_campaign(campaign.id)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.campaign_id != campaign.id:
        raise DomainError(OfficeHourError.NOT_FOUND)
    was_active = registration.status is not RegistrationStatus.CANCELLED
    registrations.cancel(registration.registrant, registration.id, now)
    if was_active:
        coach = db.session.get(User, registration.event.coach_id)
        registration_mail.queue_office_hour_cancelled(registration, campaign, coach, now)


def booking_of(registration_id: int, campaign: Campaign) -> Registration | None:
    """One of the campaign's confirmed bookings (its calendar file), or None."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.campaign_id != campaign.id or not registration.is_confirmed:
        return None
    return registration


@dataclass(frozen=True)
class Slot:
    event: Event
    seats_left: int | None
    takes_bookings: bool
    bookings: list[Registration]  # active, by the time they were made; each with its registrant

    @property
    def is_booked(self) -> bool:
        return bool(self.bookings)

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0


def _bookings_by_event(event_ids: list[int]) -> dict[int, list[Registration]]:
    if not event_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id.in_(event_ids), Registration.status != RegistrationStatus.CANCELLED)
        .options(joinedload(Registration.registrant))
        .order_by(Registration.created_at, Registration.id)
    ).all()
    found: dict[int, list[Registration]] = {}
    for row in rows:
        found.setdefault(row.event_id, []).append(row)
    return found


def _slots(events: list[Event], now: datetime) -> list[Slot]:
    bookings = _bookings_by_event([e.id for e in events])
    return [
        Slot(
            e,
            seats_left(e.capacity, registrations.confirmed_count(e)),
            e.takes_registrations(now),
            bookings.get(e.id, []),
        )
        for e in events
    ]


def _coach_events(coach_id: int | None, now: datetime) -> list[Event]:
    query = sa.select(Event).where(Event.kind == EventKind.OFFICE_HOUR, Event.ends_at > now)
    if coach_id is not None:
        query = query.where(Event.coach_id == coach_id)
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id)).all())


def slots_of_coach(coach_id: int | None, now: datetime) -> list[Slot]:
    """A coach's slots not yet over (every coach's for `None`: staff), with who booked each."""
    return _slots(_coach_events(coach_id, now), now)


def campaigns_by_id(slots: list[Slot]) -> dict[int, Campaign]:
    """The campaigns of the bookings shown (one query)."""
    ids = {r.campaign_id for s in slots for r in s.bookings if r.campaign_id is not None}
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(sa.select(Campaign).where(Campaign.id.in_(ids))).all()}


def coaches_by_id(slots: list[Slot]) -> dict[int, User]:
    ids = {s.event.coach_id for s in slots if s.event.coach_id is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids))).all()}


def open_slots(campaign: Campaign, now: datetime) -> list[Slot]:
    """The campaign's coach's slots still taking bookings, with their seats left (the bookings of
    other teams are not shown: only whether a seat is left)."""
    if campaign.coach_id is None:
        return []
    events = [e for e in _coach_events(campaign.coach_id, now) if e.takes_registrations(now)]
    return [Slot(e, seats_left(e.capacity, registrations.confirmed_count(e)), True, []) for e in events]


def bookings_of(campaign: Campaign) -> list[Registration]:
    """The campaign's active bookings, by the slot's start (past ones too, for the record)."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .join(Event, Event.id == Registration.event_id)
            .where(Registration.campaign_id == campaign.id, Registration.status != RegistrationStatus.CANCELLED)
            .options(joinedload(Registration.registrant), joinedload(Registration.event))
            .order_by(Event.starts_at, Registration.id)
        ).all()
    )


def holds_upcoming(campaign: Campaign, now: datetime) -> bool:
    """Whether the campaign holds an upcoming slot with its coach (and so may not book another)."""
    return campaign.coach_id is not None and _upcoming_held(campaign.id, campaign.coach_id, now) > 0
