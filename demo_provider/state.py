"""What the demo provider remembers, in memory and behind one lock: checkouts, payments, refunds,
the idempotency keys that made them, and the notifications to send."""

from __future__ import annotations

import enum
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime

from demo_provider import CURRENCY


class Status(enum.Enum):
    OPEN = "open"
    PAID = "paid"
    EXPIRED = "expired"


@dataclass
class Checkout:
    id: str
    reference: str
    amount_cents: int
    description: str
    email: str
    lang: str
    success_url: str
    cancel_url: str
    expires_at: datetime
    status: Status = Status.OPEN
    payment_id: str | None = None


@dataclass
class Payment:
    id: str
    checkout_id: str
    reference: str
    amount_cents: int
    refunded_cents: int = 0


@dataclass
class Refund:
    id: str
    payment_id: str
    amount_cents: int
    status: str = "succeeded"

    def as_json(self) -> dict:
        return {"id": self.id, "status": self.status, "payment_id": self.payment_id, "amount_cents": self.amount_cents}


@dataclass
class Event:
    """A notification for the portal: its body is fixed once, so every retry sends the same bytes."""

    id: str
    type: str
    body: bytes
    attempts: int = 0
    delivered: bool = False
    last_answer: str = ""

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "attempts": self.attempts,
            "delivered": self.delivered,
            "last_answer": self.last_answer,
        }


class IdempotencyConflict(Exception):
    """The idempotency key was used before for a different request."""


class RefundRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(18)}"


@dataclass
class Store:
    checkouts: dict[str, Checkout] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    refunds: dict[str, Refund] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    # idempotency key -> (what the request asked, the id of what it made)
    checkout_keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    refund_keys: dict[str, tuple[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def open_checkout(self, key: str, fields: dict) -> tuple[Checkout, bool]:
        """The checkout made for this key (False) or a new one (True)."""
        fingerprint = _fingerprint(fields)
        with self.lock:
            if key in self.checkout_keys:
                asked, checkout_id = self.checkout_keys[key]
                if asked != fingerprint:
                    raise IdempotencyConflict(key)
                return self.checkouts[checkout_id], False
            checkout = Checkout(id=new_id("cs"), **fields)
            self.checkouts[checkout.id] = checkout
            self.checkout_keys[key] = (fingerprint, checkout.id)
            return checkout, True

    def get(self, checkout_id: str) -> Checkout | None:
        with self.lock:
            return self.checkouts.get(checkout_id)

    def pay(self, checkout_id: str, now: datetime) -> tuple[Checkout, Event | None]:
        """Mark the checkout paid; the event to send when this call paid it (None: already paid,
        or expired — look at the checkout's status)."""
        with self.lock:
            checkout = self.checkouts[checkout_id]
            if checkout.status is Status.OPEN and now >= checkout.expires_at:
                return checkout, self._expire(checkout)
            if checkout.status is not Status.OPEN:
                return checkout, None
            payment = Payment(new_id("pay"), checkout.id, checkout.reference, checkout.amount_cents)
            self.payments[payment.id] = payment
            checkout.status = Status.PAID
            checkout.payment_id = payment.id
            return checkout, self._event("checkout.paid", _checkout_data(checkout))

    def expire_due(self, now: datetime) -> list[Event]:
        """Expire the open checkouts whose time is over: one ``checkout.expired`` event each, once."""
        with self.lock:
            due = [c for c in self.checkouts.values() if c.status is Status.OPEN and now >= c.expires_at]
            return [self._expire(checkout) for checkout in due]

    def _expire(self, checkout: Checkout) -> Event:
        checkout.status = Status.EXPIRED
        return self._event("checkout.expired", _checkout_data(checkout))

    def refund(self, key: str, payment_id: str, amount_cents: int) -> tuple[Refund, Event | None]:
        fingerprint = _fingerprint({"payment_id": payment_id, "amount_cents": amount_cents})
        with self.lock:
            if key in self.refund_keys:
                asked, refund_id = self.refund_keys[key]
                if asked != fingerprint:
                    raise IdempotencyConflict(key)
                return self.refunds[refund_id], None
            payment = self.payments.get(payment_id)
            if payment is None:
                raise RefundRefused("unknown_payment")
            if amount_cents > payment.amount_cents - payment.refunded_cents:
                raise RefundRefused("amount_above_what_is_left")
            refund = Refund(new_id("re"), payment.id, amount_cents)
            payment.refunded_cents += amount_cents
            self.refunds[refund.id] = refund
            self.refund_keys[key] = (fingerprint, refund.id)
            checkout = self.checkouts[payment.checkout_id]
            data = {**_checkout_data(checkout), "amount_cents": amount_cents, "refund_id": refund.id}
            return refund, self._event("refund.succeeded", data)

    def _event(self, kind: str, data: dict) -> Event:
        event_id = new_id("evt")
        body = json.dumps({"id": event_id, "type": kind, "data": data}, separators=(",", ":")).encode()
        event = Event(event_id, kind, body)
        self.events.append(event)
        return event

    def event_list(self) -> list[dict]:
        with self.lock:
            return [event.as_json() for event in self.events]

    def record_attempt(self, event: Event, delivered: bool, answer: str) -> None:
        with self.lock:
            event.attempts += 1
            event.delivered = event.delivered or delivered
            event.last_answer = answer


def _checkout_data(checkout: Checkout) -> dict:
    data = {
        "checkout_id": checkout.id,
        "reference": checkout.reference,
        "amount_cents": checkout.amount_cents,
        "currency": CURRENCY,
    }
    if checkout.payment_id:
        data["payment_id"] = checkout.payment_id
    return data


def _fingerprint(fields: dict) -> str:
    return json.dumps(fields, sort_keys=True, default=str)
