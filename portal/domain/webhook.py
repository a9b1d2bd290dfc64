"""Notifications from the payment provider: who sent them, and what they say.

Each notification carries a signature header ``t=<unix seconds>,v1=<hex>``, where the hex
is HMAC-SHA256, under the secret shared with the provider, of ``f"{t}."`` followed by the
body. While the provider rotates its secret it sends one ``v1`` per secret; one match is
enough. A notification older or newer than the tolerance is refused, so a captured one
cannot be replayed later; the event's id lets the caller ignore a repeated delivery.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import TypeVar

from portal.domain import DomainError
from portal.domain.payment_reference import normalise_reference

# The HTTP header that carries the signature.
SIGNATURE_HEADER = "Portal-Signature"
TOLERANCE_SECONDS = 300
MAX_HEADER_LENGTH = 1024
MAX_BODY_BYTES = 64 * 1024
MAX_EVENT_ID_LENGTH = 255

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
T = TypeVar("T")


class WebhookError(enum.StrEnum):
    MALFORMED = "malformed"  # the header or a field of the body cannot be read
    BAD_SIGNATURE = "bad_signature"  # no signature matches: forged or altered
    STALE = "stale"  # authentic, but signed too long ago or in the future
    UNSUPPORTED_TYPE = "unsupported_type"  # an event type the portal does not handle


def _digest(secret: bytes, timestamp: int, body: bytes) -> str:
    if not secret:
        raise ValueError("no webhook secret configured")
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """The signature header the provider sends for `body` at `timestamp`.

    An empty secret raises ``ValueError``: anyone could sign with it.
    """
    return f"t={timestamp},v1={_digest(secret, timestamp, body)}"


def verify(secret: bytes, header: str, body: bytes, now_ts: int, tolerance: int = TOLERANCE_SECONDS) -> None:
    """Return quietly when `body` was signed with `secret` within `tolerance` seconds of `now_ts`.

    Raises ``DomainError`` with a `WebhookError`: ``MALFORMED`` (the header cannot be read),
    ``BAD_SIGNATURE`` (no ``v1`` matches: a forged or altered notification), ``STALE``
    (authentic, but signed too long ago or in the future).
    """
    timestamp, signatures = _read_header(header)
    expected = _digest(secret, timestamp, body).encode()
    if not any(hmac.compare_digest(expected, signature.encode()) for signature in signatures):
        raise DomainError(WebhookError.BAD_SIGNATURE)
    if abs(now_ts - timestamp) > tolerance:
        raise DomainError(WebhookError.STALE, timestamp=timestamp)


def _read_header(header: str) -> tuple[int, list[str]]:
    """The timestamp and the ``v1`` signatures; other schemes are ignored."""
    if len(header) > MAX_HEADER_LENGTH:
        raise DomainError(WebhookError.MALFORMED)
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, equals, value = item.strip().partition("=")
        if not equals:
            raise DomainError(WebhookError.MALFORMED)
        if key == "t":
            timestamps.append(value)
        elif key == "v1":
            signatures.append(value)
    if len(timestamps) != 1 or not _TIMESTAMP.fullmatch(timestamps[0]) or not signatures:
        raise DomainError(WebhookError.MALFORMED)
    return int(timestamps[0]), signatures


class EventType(enum.Enum):
    SUCCEEDED = "payment.succeeded"
    FAILED = "payment.failed"


@dataclass(frozen=True)
class PaymentEvent:
    event_id: str  # the provider's id: the same event may be delivered more than once
    type: EventType
    reference: str  # canonical payment reference
    amount_cents: int  # above zero, in euros


def parse_event(body: bytes) -> PaymentEvent:
    """Read a verified body: ``{"id", "type", "data": {"reference", "amount_cents", "currency": "EUR"}}``.

    Raises ``DomainError(WebhookError.MALFORMED, field=...)`` naming the first field that is
    missing or wrong (``body`` when it is not a JSON object), and
    ``DomainError(WebhookError.UNSUPPORTED_TYPE, type=...)`` for an event type the portal does
    not handle, which the caller can acknowledge and ignore.
    """
    document = _load(body)
    event_id = _required(document, "id", str)
    if not event_id or len(event_id) > MAX_EVENT_ID_LENGTH:
        raise DomainError(WebhookError.MALFORMED, field="id")
    kind = _required(document, "type", str)
    if kind not in {member.value for member in EventType}:
        raise DomainError(WebhookError.UNSUPPORTED_TYPE, type=kind)
    data = _required(document, "data", dict)
    reference = normalise_reference(_required(data, "data.reference", str))
    if reference is None:
        raise DomainError(WebhookError.MALFORMED, field="data.reference")
    amount_cents = _required(data, "data.amount_cents", int)
    if amount_cents <= 0:
        raise DomainError(WebhookError.MALFORMED, field="data.amount_cents")
    if _required(data, "data.currency", str) != "EUR":
        raise DomainError(WebhookError.MALFORMED, field="data.currency")
    return PaymentEvent(event_id, EventType(kind), reference, amount_cents)


def _load(body: bytes) -> dict:
    if len(body) > MAX_BODY_BYTES:
        raise DomainError(WebhookError.MALFORMED, field="body")
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise DomainError(WebhookError.MALFORMED, field="body") from None
    if not isinstance(document, dict):
        raise DomainError(WebhookError.MALFORMED, field="body")
    return document


def _required(container: dict, path: str, kind: type[T]) -> T:
    """The value at the end of the dotted `path`, exactly of `kind` (so ``true`` is not an amount)."""
    value = container.get(path.rpartition(".")[2])
    if type(value) is not kind:
        raise DomainError(WebhookError.MALFORMED, field=path)
    return value
