"""The payment providers' notifications: each event id acted on once, recorded with what it did.

The event's id is claimed (a `ProviderEvent` row, unique by id) in the same transaction as
what it causes: a repeated delivery, even one arriving at the same moment on another app
server, finds the id taken, rolls back, and changes nothing.

Two doors: `record_event`, the portal's own signed format (`portal.domain.webhook`, the
``/api/pagamenti/notifiche`` endpoint), and `record_notification`, what a card provider's
`read_notification` made of its body (``/api/pagamenti/notifiche/<provider>``): a payment
confirms the pledge, an expired checkout releases it, a refund's outcome goes to
`refund_events`.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal.domain import DomainError
from portal.domain.pledge import PaidVia, PaymentMethod, PledgeStatus
from portal.domain.webhook import EventType, PaymentEvent, WebhookError
from portal.extensions import db
from portal.models import Pledge, ProviderEvent
from portal.services import transaction
from portal.services.campaigns.locking import locked_campaign
from portal.services.payments import checkout, payments, refund_events
from portal.services.payments.payments import PaymentOutcome
from portal.services.payments.providers.base import EventKind, Notification

MAX_AMOUNT_CENTS = 10**11  # a billion euros: beyond any pledge, and within a database's BIGINT
# Outcomes staff should look at: the money arrived but confirmed nothing (a card paid after its
# pledge expired or was cancelled, too: staff confirm it by hand or refund it), or a refund the
# portal does not know.
NEEDS_ATTENTION = (
    PaymentOutcome.UNKNOWN_REFERENCE,
    PaymentOutcome.AMOUNT_MISMATCH,
    PaymentOutcome.NOT_PENDING,
    PaymentOutcome.PAID_AFTER_EXPIRY,
    PaymentOutcome.UNKNOWN_REFUND,
)


def check_storable(event: PaymentEvent) -> None:
    """Refuse, as ``DomainError(WebhookError.MALFORMED, field=...)``, what a well-formed event may hold but the
    database cannot: an amount beyond any pledge, an id with a NUL character (PostgreSQL text)."""
    if event.amount_cents > MAX_AMOUNT_CENTS:
        raise DomainError(WebhookError.MALFORMED, field="data.amount_cents")
    if "\x00" in event.event_id:
        raise DomainError(WebhookError.MALFORMED, field="id")


def _claim(event_id: str, type_: str, reference: str | None, amount_cents: int | None, now: datetime):
    """The event's row, claimed; None when the id was seen before."""
    if db.session.scalar(sa.select(ProviderEvent.id).filter_by(event_id=event_id)) is not None:
        return None
    record = ProviderEvent(
        event_id=event_id,
        type=type_,
        reference=reference,
        amount_cents=amount_cents,
        outcome=PaymentOutcome.RECEIVED,
        received_at=now,
    )
    try:
        # Claim the id first: a concurrent delivery of the same event waits here, then fails.
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        return None
    return record


def _log_if_needed(event_id: str, reference: str | None, amount_cents: int | None, outcome: PaymentOutcome) -> None:
    if outcome in NEEDS_ATTENTION:
        transaction.on_commit(
            lambda: current_app.logger.warning(
                "Provider event %s for %s (%s cents) needs staff attention: %s",
                event_id,
                reference,
                amount_cents,
                outcome,
            )
        )


@transaction.transactional
def record_event(event: PaymentEvent, now: datetime) -> PaymentOutcome:
    """Act on a verified event once; what it did: ``CONFIRMED``, one of `NEEDS_ATTENTION`,
    ``PAYMENT_FAILED`` (the pledge stays pending), or ``DUPLICATE`` for an event id seen before
    (nothing changes)."""
    record = _claim(event.event_id, event.type.value, event.reference, event.amount_cents, now)
    if record is None:
        return PaymentOutcome.DUPLICATE
    if event.type is EventType.SUCCEEDED:
        result = payments.confirm_payment(event.reference, event.amount_cents, PaidVia.PROVIDER, event.event_id, now)
        outcome = result.outcome
    else:
        outcome = PaymentOutcome.PAYMENT_FAILED
    record.outcome = outcome
    _log_if_needed(event.event_id, event.reference, event.amount_cents, outcome)
    return outcome


def check_notification_storable(notification: Notification) -> None:
    """As `check_storable`, for what a provider read: ``DomainError(WebhookError.MALFORMED, field=...)``."""
    if notification.amount_cents is not None and not 0 <= notification.amount_cents <= MAX_AMOUNT_CENTS:
        raise DomainError(WebhookError.MALFORMED, field="amount_cents")
    for field in ("event_id", "checkout_id", "pledge_reference", "payment_id", "refund_id"):
        value = getattr(notification, field)
        if value is not None and ("\x00" in value or len(value) > 255):
            raise DomainError(WebhookError.MALFORMED, field=field)
    if not notification.event_id:
        raise DomainError(WebhookError.MALFORMED, field="event_id")


def _pledge_of(notification: Notification) -> Pledge | None:
    """The pledge a notification names, by its checkout (what the provider knows best), else by reference."""
    if notification.checkout_id:
        found = db.session.scalar(sa.select(Pledge).filter_by(checkout_id=notification.checkout_id))
        if found is not None:
            return found
    if notification.pledge_reference:
        return db.session.scalar(sa.select(Pledge).filter_by(reference=notification.pledge_reference))
    return None


@transaction.transactional
def record_notification(provider: str, notification: Notification, now: datetime) -> PaymentOutcome:
    """Act once on a notification a provider verified and read (``IGNORED`` kinds are not recorded).

    ``PAID``: the pledge is confirmed (`payments.confirm_payment`, the amount checked); paid after
    its pledge expired or was cancelled, it is ``PAID_AFTER_EXPIRY``, for staff. ``EXPIRED``: the
    pledge's current checkout expired unpaid, the pledge is ``EXPIRED`` and its reward released
    (an old checkout of the pledge, or a pledge settled meanwhile: ``IGNORED``). ``REFUNDED`` and
    ``REFUND_FAILED``: `refund_events.record_refund_event`. ``DUPLICATE`` for an event id seen before.
    """
    if notification.kind is EventKind.IGNORED:
        return PaymentOutcome.IGNORED
    pledge = _pledge_of(notification)
    reference = pledge.reference if pledge is not None else (notification.pledge_reference or "")[:20] or None
    record = _claim(
        notification.event_id, f"{provider}.{notification.kind.value}", reference, notification.amount_cents, now
    )
    if record is None:
        return PaymentOutcome.DUPLICATE
    if notification.kind is EventKind.PAID:
        outcome = _paid(pledge, notification, now)
    elif notification.kind is EventKind.EXPIRED:
        outcome = _expired(pledge, notification, now)
    else:
        outcome = refund_events.record_refund_event(notification, now)
    record.outcome = outcome
    _log_if_needed(notification.event_id, reference, notification.amount_cents, outcome)
    return outcome


def _paid(pledge: Pledge | None, notification: Notification, now: datetime) -> PaymentOutcome:
    if pledge is None:
        return PaymentOutcome.UNKNOWN_REFERENCE
    if notification.amount_cents is None:
        return PaymentOutcome.AMOUNT_MISMATCH
    payment_id = notification.payment_id or notification.event_id
    result = payments.confirm_payment(pledge.reference, notification.amount_cents, PaidVia.PROVIDER, payment_id, now)
    if result.outcome is PaymentOutcome.NOT_PENDING and result.pledge.status in (
        PledgeStatus.EXPIRED,
        PledgeStatus.CANCELLED,
    ):
        # Kept for staff, who confirm it by hand or refund it (`payments.late_payments`).
        if result.pledge.payment_id is None:
            result.pledge.payment_id = payment_id
        return PaymentOutcome.PAID_AFTER_EXPIRY
    return result.outcome


def _expired(pledge: Pledge | None, notification: Notification, now: datetime) -> PaymentOutcome:
    if pledge is None:
        return PaymentOutcome.IGNORED
    campaign = locked_campaign(pledge.campaign_id)
    db.session.refresh(pledge)
    current = notification.checkout_id is None or notification.checkout_id == pledge.checkout_id
    if not (pledge.status.awaits_payment and pledge.method is PaymentMethod.CARD and current):
        return PaymentOutcome.IGNORED
    checkout.expire(pledge, campaign, now)
    return PaymentOutcome.EXPIRED


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
