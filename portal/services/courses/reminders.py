"""Reminders before lessons and the retention rule for registrants' personal data."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from portal.domain.registration import RegistrationStatus, due_reminder
from portal.extensions import db
from portal.models import Event, OutboxMessage, Registrant, Registration, ReminderSent
from portal.models.registration import new_token
from portal.services.courses import registration_mail
from portal.services.transaction import transactional


@transactional
def send_reminders(now: datetime) -> int:
    """Queue the due reminder for every confirmed registration of the next day's events.

    Each (registration, kind) is recorded under a unique constraint, so a second run,
    even at the same time as the first, queues nothing twice.
    """
    upcoming = db.session.scalars(
        db.select(Registration)
        .join(Registration.event)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(hours=24),
        )
    ).all()
    queued = 0
    for registration in upcoming:
        kind = due_reminder(registration.event.starts_at, now)
        if kind is None:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(ReminderSent(registration_id=registration.id, kind=kind, sent_at=now))
        except IntegrityError:
            continue  # already reminded
        registration_mail.queue_reminder(registration, kind, now)
        queued += 1
    return queued


@transactional
def anonymise_registrants(now: datetime, retention_days: int) -> int:
    """Blank the personal data of people whose last event ended over `retention_days` ago.

    Their registrations stay (counts for the programme's statistics), no longer tied to a person;
    the e-mails already delivered to them before the cutoff leave the outbox too (they repeat the
    name, the address and the personal link), as the privacy notice says.
    """
    cutoff = now - timedelta(days=retention_days)
    last_end = (
        db.select(db.func.max(Event.ends_at))
        .join(Registration, Registration.event_id == Event.id)
        .where(Registration.registrant_id == Registrant.id)
        .correlate(Registrant)
        .scalar_subquery()
    )
    people = db.session.scalars(
        db.select(Registrant).where(Registrant.anonymised_at.is_(None), last_end < cutoff)
    ).all()
    for person in people:
        db.session.execute(
            db.delete(OutboxMessage)
            .where(
                db.func.lower(OutboxMessage.to) == person.email,
                OutboxMessage.sent_at.is_not(None),
                OutboxMessage.created_at < cutoff,
            )
            .execution_options(synchronize_session=False)
        )
        person.name = "—"
        person.email = f"anonimo-{person.id}@anonymised.invalid"
        person.organisation = None
        person.token = new_token()
        person.anonymised_at = now
    return len(people)
