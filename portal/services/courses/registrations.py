"""Signing up for events and cancelling: seats, waitlist, promotion, and the e-mails they cause."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from portal.domain import DomainError
from portal.domain.newsletter import Source as NewsletterSource
from portal.domain.registration import RegistrationStatus, seats_to_fill, status_for_new
from portal.extensions import db
from portal.models import Event, Registrant, Registration
from portal.services.courses import registration_mail
from portal.services.newsletter import subscriptions
from portal.services.transaction import transactional


class CancellationError(StrEnum):
    NOT_FOUND = "not_found"  # not one of the registrant's registrations
    STARTED = "started"  # the event has begun


@dataclass(frozen=True)
class SignUp:
    name: str
    email: str
    organisation: str | None
    lang: str
    event_ids: tuple[int, ...]


@dataclass
class Outcome:
    registrant: Registrant
    confirmed: list[Registration] = field(default_factory=list)
    waitlisted: list[Registration] = field(default_factory=list)
    already: list[Registration] = field(default_factory=list)
    closed: list[Event] = field(default_factory=list)
    # Nothing new, and the "already registered" e-mail went out less than an hour ago: not again.
    mail_withheld: bool = False


def count_per_event(status: RegistrationStatus):
    """A correlated subquery: how many registrations of each selected Event have this status.

    For the staff pages' waiting lists; the seats taken are stored (`confirmed_count`)."""
    return (
        db.select(db.func.count())
        .where(Registration.event_id == Event.id, Registration.status == status)
        .correlate(Event)
        .scalar_subquery()
    )


def confirmed_count(event: Event) -> int:
    """The seats taken: the one count of them, stored on the event row (`Event.confirmed_seats`) and
    kept by `_set_status` on every change of a registration's status, under the event's lock; every
    page reads it without counting registrations."""
    return event.confirmed_seats


def locked_event(event_id: int) -> Event:
    """The event row, locked until the transaction ends, with what the database holds now: a copy
    this session read before the lock (the calendar of the same request) is overwritten, so the
    seats counted under the lock are never a stale snapshot."""
    return db.session.execute(
        db.select(Event).filter_by(id=event_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _registrant_for(sign_up: SignUp, now: datetime) -> Registrant:
    """The person behind an e-mail address, created once even when two requests race."""
    email = sign_up.email.strip().lower()
    select = db.select(Registrant).filter_by(email=email)
    registrant = db.session.scalars(select).one_or_none()
    if registrant is None:
        try:
            with db.session.begin_nested():
                registrant = Registrant(
                    email=email,
                    name=sign_up.name.strip(),
                    organisation=(sign_up.organisation or "").strip() or None,
                    lang=sign_up.lang,
                    consent_at=now,
                    created_at=now,
                )
                db.session.add(registrant)
        except IntegrityError:
            registrant = db.session.scalars(select).one()
    return registrant


@transactional
def register(sign_up: SignUp, now: datetime, *, newsletter: bool = False) -> Outcome:
    """Give each chosen event a seat or a waitlist place; one commit, one e-mail.

    Event rows are locked in id order, so concurrent sign-ups for the same lesson are
    counted one after the other and capacity is never exceeded. With `newsletter` (the form's
    separate box, ticked), also asks for the programme's newsletter in the same transaction (its
    own double opt-in: a confirmation e-mail of its own).
    """
    outcome = _take_seats(_registrant_for(sign_up, now), sign_up.event_ids, now)
    if newsletter:
        subscriptions.subscribe(sign_up.email, sign_up.lang, NewsletterSource.REGISTRATION, now)
    if outcome.confirmed or outcome.waitlisted:
        registration_mail.queue_sign_up(outcome, now)
    elif outcome.already:
        outcome.mail_withheld = not registration_mail.queue_already_registered(outcome, now)
    return outcome


@transactional
def register_more(registrant: Registrant, event_ids: tuple[int, ...], now: datetime) -> Outcome:
    """From the personal page: the same person takes more lessons, under the same rules as the
    public form (seats, waiting list, closing) and with the same e-mail. Nothing new (a lesson
    already held, or closed meanwhile) sends nothing: the person is on their page."""
    outcome = _take_seats(registrant, event_ids, now)
    if outcome.confirmed or outcome.waitlisted:
        registration_mail.queue_sign_up(outcome, now)
    return outcome


def _take_seats(registrant: Registrant, event_ids: tuple[int, ...], now: datetime) -> Outcome:
    outcome = Outcome(registrant)
    for event_id in sorted(set(event_ids)):
        event = locked_event(event_id)
        existing = db.session.scalars(
            db.select(Registration).filter_by(event_id=event.id, registrant_id=registrant.id)
        ).one_or_none()
        if existing is not None and existing.status is not RegistrationStatus.CANCELLED:
            outcome.already.append(existing)
            continue
        if not event.needs_registration:  # the info session is open to all, without registration
            outcome.closed.append(event)
            continue
        try:
            status = status_for_new(event.capacity, confirmed_count(event), event.starts_at, now)
        except DomainError:
            outcome.closed.append(event)
            continue
        registration = existing or Registration(event=event, registrant=registrant, created_at=now)
        db.session.add(registration)
        _set_status(registration, event, status, now)
        (outcome.confirmed if status is RegistrationStatus.CONFIRMED else outcome.waitlisted).append(registration)
    db.session.flush()
    return outcome


def take_seat(sign_up: SignUp, now: datetime) -> Outcome:
    """The person of `sign_up` (created once, by e-mail) takes a seat at each of its events under the
    rules of every registration (the event's lock, its stored seats, the waiting list, the closing),
    and nothing is mailed: for a caller that says itself what to send (an office hour's booking,
    services/courses/office_hours.py). Runs inside the caller's transaction."""
    return _take_seats(_registrant_for(sign_up, now), sign_up.event_ids, now)


def _set_status(registration: Registration, event: Event, status: RegistrationStatus, now: datetime) -> None:
    """The one place a registration's status changes: it keeps the event's stored seat count
    (`Event.confirmed_seats`) equal to its confirmed registrations. The caller holds the event's lock."""
    was_confirmed = registration.status is RegistrationStatus.CONFIRMED
    registration.status = status
    if status is RegistrationStatus.CANCELLED:
        registration.cancelled_at = now
    elif status is RegistrationStatus.CONFIRMED:
        registration.cancelled_at = None
        registration.confirmed_at, registration.waitlisted_at = now, None
    else:
        registration.cancelled_at = None
        registration.confirmed_at, registration.waitlisted_at = None, now
    change = int(status is RegistrationStatus.CONFIRMED) - int(was_confirmed)
    if change:
        event.confirmed_seats += change


def registrant_by_token(token: str) -> Registrant | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalars(db.select(Registrant).filter_by(token=token, anonymised_at=None)).one_or_none()


@transactional
def cancel(registrant: Registrant, registration_id: int, now: datetime) -> list[Registration]:
    """Cancel one of the registrant's registrations; the first people waiting move up.

    Returns the promoted registrations (each is told by e-mail). Raises
    ``DomainError(CancellationError.NOT_FOUND)`` for a registration that is not theirs and
    ``DomainError(CancellationError.STARTED)`` once the event has begun.
    """
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.registrant_id != registrant.id:
        raise DomainError(CancellationError.NOT_FOUND)
    event = locked_event(registration.event_id)
    db.session.refresh(registration)
    if not event.registrations_cancellable(now):
        raise DomainError(CancellationError.STARTED)
    if registration.status is RegistrationStatus.CANCELLED:
        return []
    _set_status(registration, event, RegistrationStatus.CANCELLED, now)
    return promote_waiting(event, now)


@transactional
def promote_waiting(event: Event, now: datetime) -> list[Registration]:
    """Give free seats to the people waiting longest, and tell them; the caller holds the event's lock."""
    waiting = db.session.scalars(
        db.select(Registration)
        .filter_by(event_id=event.id, status=RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)
    ).all()
    moved = waiting[: seats_to_fill(event.capacity, confirmed_count(event), len(waiting))]
    for registration in moved:
        _set_status(registration, event, RegistrationStatus.CONFIRMED, now)
        registration_mail.queue_promotion(registration, now)
    return moved
