"""A card payment's hosted checkout: how long it stays open, when an unpaid one is abandoned.

A pledge by card is pending while its checkout is open at the provider. Once the checkout has
expired (and a grace minute has passed, for a notification on its way) the pledge is abandoned:
it becomes expired and its reward goes back to the others.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from portal.domain.pledge import PaymentMethod, PledgeStatus

# Stripe accepts an expiry from 30 minutes to 24 hours after the session is created: a margin
# over the minimum, for the clocks of the portal and the provider that never quite agree.
CHECKOUT_LIFETIME = timedelta(minutes=35)
# After the expiry: the provider's last notification (a payment at the last second) may be on its way.
EXPIRY_GRACE = timedelta(minutes=1)


def checkout_expiry(now: datetime) -> datetime:
    """When a checkout started now stops taking payments."""
    return now + CHECKOUT_LIFETIME


def is_open(expires_at: datetime | None, now: datetime) -> bool:
    """The checkout can still be paid (so a retry sends the person back to it)."""
    return expires_at is not None and now < expires_at


def abandoned_before(now: datetime) -> datetime:
    """Checkouts that expired before this instant are abandoned."""
    return now - EXPIRY_GRACE


def is_abandoned(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at < abandoned_before(now)


def idempotency_key(reference: str, expires_at: datetime) -> str:
    """One key per checkout of a pledge: a retried call with the same key is the same checkout,
    a new checkout (the last one expired) has its own."""
    return f"checkout-{reference}-{int(expires_at.timestamp())}"


class PaymentStage(enum.Enum):
    """Where a pledge's payment stands, as its supporter's page tells it."""

    AWAITING_TRANSFER = "awaiting_transfer"  # pending, to be paid by bank transfer
    CARD_NOT_STARTED = "card_not_started"  # pending by card, the provider could not start the checkout
    CARD_CONFIRMING = (
        "card_confirming"  # pending by card, the checkout open (or just closed): the provider's word is awaited
    )
    CARD_NOT_COMPLETED = "card_not_completed"  # pending by card, the checkout expired unpaid (not yet released)
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUND_DUE = "refund_due"
    REFUNDED = "refunded"

    @property
    def is_waiting(self) -> bool:
        """The page asks again every few seconds: the outcome may arrive at any moment."""
        return self is PaymentStage.CARD_CONFIRMING

    @property
    def card_pending(self) -> bool:
        """Pending by card: the person may try the card again or pay by bank transfer instead."""
        return self in (PaymentStage.CARD_NOT_STARTED, PaymentStage.CARD_CONFIRMING, PaymentStage.CARD_NOT_COMPLETED)

    @property
    def awaits_transfer(self) -> bool:
        return self is PaymentStage.AWAITING_TRANSFER

    @property
    def card_not_started(self) -> bool:
        return self is PaymentStage.CARD_NOT_STARTED

    @property
    def is_confirmed(self) -> bool:
        return self is PaymentStage.CONFIRMED

    @property
    def is_cancelled(self) -> bool:
        return self is PaymentStage.CANCELLED

    @property
    def is_expired(self) -> bool:
        return self is PaymentStage.EXPIRED

    @property
    def is_refund_due(self) -> bool:
        return self is PaymentStage.REFUND_DUE


_SETTLED = {
    PledgeStatus.CONFIRMED: PaymentStage.CONFIRMED,
    PledgeStatus.CANCELLED: PaymentStage.CANCELLED,
    PledgeStatus.EXPIRED: PaymentStage.EXPIRED,
    PledgeStatus.REFUND_DUE: PaymentStage.REFUND_DUE,
    PledgeStatus.REFUNDED: PaymentStage.REFUNDED,
}


def payment_stage(
    status: PledgeStatus, method: PaymentMethod, checkout_id: str | None, expires_at: datetime | None, now: datetime
) -> PaymentStage:
    if status is not PledgeStatus.PENDING:
        return _SETTLED[status]
    if method is PaymentMethod.BANK_TRANSFER:
        return PaymentStage.AWAITING_TRANSFER
    if checkout_id is None:
        return PaymentStage.CARD_NOT_STARTED
    if is_abandoned(expires_at, now):
        return PaymentStage.CARD_NOT_COMPLETED
    return PaymentStage.CARD_CONFIRMING
