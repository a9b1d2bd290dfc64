"""What the portal asks of a card payment provider, whichever it is (Stripe, the demo's).

Three things: start a hosted checkout for a pledge, read a signed notification, refund a payment.
Amounts are integer cents, in EUR only; every call that changes something at the provider carries
an idempotency key, so a retried call never charges or refunds twice. An implementation raises
`ProviderError` when the provider cannot be reached or refuses, `BadNotification` for a body whose
signature or shape is wrong (nothing is stored then).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

CURRENCY = "EUR"


class ProviderError(Exception):
    """The provider could not be reached, or refused the call: the caller may retry later."""


class BadNotification(Exception):
    """A notification whose signature does not verify or whose body is not what the provider sends."""


@dataclass(frozen=True)
class CheckoutRequest:
    pledge_reference: str  # the pledge's reference: the provider keeps it as metadata
    amount_cents: int
    description: str  # what the person sees on the hosted page (the campaign's title)
    email: str
    lang: str  # "it" or "en": the hosted page's language
    success_url: str  # absolute: where the provider sends the person after paying
    cancel_url: str  # absolute: where "Annulla" leads
    expires_at: datetime  # aware: the checkout cannot be paid after it
    idempotency_key: str


@dataclass(frozen=True)
class Checkout:
    checkout_id: str  # the provider's id of the session
    url: str  # the hosted page to redirect the person to
    expires_at: datetime


class EventKind(enum.Enum):
    PAID = "paid"  # the checkout was paid: confirm the pledge
    EXPIRED = "expired"  # the checkout expired unpaid: release the pledge
    REFUNDED = "refunded"  # a refund went through
    REFUND_FAILED = "refund_failed"  # a refund failed at the provider
    IGNORED = "ignored"  # a kind the portal does not act on: acknowledged


@dataclass(frozen=True)
class Notification:
    event_id: str  # unique per event at the provider: a repeated delivery is recognised by it
    kind: EventKind
    checkout_id: str | None = None
    pledge_reference: str | None = None
    amount_cents: int | None = None
    payment_id: str | None = None  # the provider's id of the payment (what a refund names)
    refund_id: str | None = None


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    done: bool  # True: refunded; False: accepted, the provider confirms later by notification


class PaymentProvider(Protocol):
    name: str  # stored on the pledge: "stripe", "demo"
    # scheme://host[:port] of the hosted checkout page: the portal's CSP lets forms be redirected there
    checkout_origin: str

    def start_checkout(self, request: CheckoutRequest) -> Checkout: ...

    def read_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification: ...

    def refund(self, payment_id: str, amount_cents: int, idempotency_key: str) -> RefundResult: ...
