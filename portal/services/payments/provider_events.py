"""The payment provider's notifications: each event id acted on once, recorded with what it did.

The event's id is claimed (a `ProviderEvent` row, unique by id) in the same transaction as
the confirmation it causes: a repeated delivery, even one arriving at the same moment on
another app server, finds the id taken, rolls back, and changes nothing.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal.domain import DomainError
from portal.domain.pledge import PaidVia
from portal.domain.webhook import EventType, PaymentEvent
from portal.extensions import db
from portal.models import ProviderEvent
from portal.services.payments import payments

DUPLICATE = "duplicate"
FAILED = "payment_failed"  # the provider says the payment did not go through: the pledge stays pending
MAX_AMOUNT_CENTS = 10**11  # a billion euros: beyond any pledge, and within a database's BIGINT
# Outcomes staff should look at: the money arrived but confirmed nothing.
NEEDS_ATTENTION = ("unknown_reference", "amount_mismatch", "not_pending")


def check_storable(event: PaymentEvent) -> None:
    """Refuse, as ``DomainError("malformed", field=...)``, what a well-formed event may hold but the
    database cannot: an amount beyond any pledge, an id with a NUL character (PostgreSQL text)."""
    if event.amount_cents > MAX_AMOUNT_CENTS:
        raise DomainError("malformed", field="data.amount_cents")
    if "\x00" in event.event_id:
        raise DomainError("malformed", field="id")


def record_event(event: PaymentEvent, now: datetime) -> str:
    """Act on a verified event once; what it did: ``confirmed``, one of `NEEDS_ATTENTION`,
    ``payment_failed``, or ``duplicate`` for an event id seen before (nothing changes)."""
    if db.session.scalar(sa.select(ProviderEvent.id).filter_by(event_id=event.event_id)) is not None:
        return DUPLICATE
    record = ProviderEvent(
        event_id=event.event_id,
        type=event.type.value,
        reference=event.reference,
        amount_cents=event.amount_cents,
        outcome="received",
        received_at=now,
    )
    db.session.add(record)
    try:
        # Claim the id first: a concurrent delivery of the same event waits here, then fails.
        db.session.flush()
        if event.type is EventType.SUCCEEDED:
            result = payments.confirm_payment(
                event.reference, event.amount_cents, PaidVia.PROVIDER, event.event_id, now
            )
            outcome = result.outcome
        else:
            outcome = FAILED
        record.outcome = outcome
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return DUPLICATE
    if outcome in NEEDS_ATTENTION:
        current_app.logger.warning(
            "Provider event %s for %s (%d cents) confirmed nothing: %s",
            event.event_id,
            event.reference,
            event.amount_cents,
            outcome,
        )
    return outcome


def needing_attention(limit: int = 50) -> list[ProviderEvent]:
    """The latest notifications of money received that confirmed no pledge (for the staff page)."""
    return list(
        db.session.scalars(
            sa.select(ProviderEvent)
            .where(ProviderEvent.outcome.in_(NEEDS_ATTENTION))
            .order_by(ProviderEvent.received_at.desc(), ProviderEvent.id.desc())
            .limit(limit)
        )
    )
