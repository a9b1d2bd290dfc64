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
from portal.domain.webhook import EventType, PaymentEvent, WebhookError
from portal.extensions import db
from portal.models import ProviderEvent
from portal.services import transaction
from portal.services.payments import payments
from portal.services.payments.payments import PaymentOutcome

MAX_AMOUNT_CENTS = 10**11  # a billion euros: beyond any pledge, and within a database's BIGINT
# Outcomes staff should look at: the money arrived but confirmed nothing.
NEEDS_ATTENTION = (PaymentOutcome.UNKNOWN_REFERENCE, PaymentOutcome.AMOUNT_MISMATCH, PaymentOutcome.NOT_PENDING)


def check_storable(event: PaymentEvent) -> None:
    """Refuse, as ``DomainError(WebhookError.MALFORMED, field=...)``, what a well-formed event may hold but the
    database cannot: an amount beyond any pledge, an id with a NUL character (PostgreSQL text)."""
    if event.amount_cents > MAX_AMOUNT_CENTS:
        raise DomainError(WebhookError.MALFORMED, field="data.amount_cents")
    if "\x00" in event.event_id:
        raise DomainError(WebhookError.MALFORMED, field="id")


@transaction.transactional
def record_event(event: PaymentEvent, now: datetime) -> PaymentOutcome:
    """Act on a verified event once; what it did: ``CONFIRMED``, one of `NEEDS_ATTENTION`,
    ``PAYMENT_FAILED`` (the pledge stays pending), or ``DUPLICATE`` for an event id seen before
    (nothing changes)."""
    if db.session.scalar(sa.select(ProviderEvent.id).filter_by(event_id=event.event_id)) is not None:
        return PaymentOutcome.DUPLICATE
    record = ProviderEvent(
        event_id=event.event_id,
        type=event.type.value,
        reference=event.reference,
        amount_cents=event.amount_cents,
        outcome=PaymentOutcome.RECEIVED,
        received_at=now,
    )
    try:
        # Claim the id first: a concurrent delivery of the same event waits here, then fails.
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        return PaymentOutcome.DUPLICATE
    if event.type is EventType.SUCCEEDED:
        result = payments.confirm_payment(event.reference, event.amount_cents, PaidVia.PROVIDER, event.event_id, now)
        outcome = result.outcome
    else:
        outcome = PaymentOutcome.PAYMENT_FAILED
    record.outcome = outcome
    if outcome in NEEDS_ATTENTION:
        transaction.on_commit(
            lambda: current_app.logger.warning(
                "Provider event %s for %s (%d cents) confirmed nothing: %s",
                event.event_id,
                event.reference,
                event.amount_cents,
                outcome,
            )
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
