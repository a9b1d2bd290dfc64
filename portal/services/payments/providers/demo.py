"""The demo provider's client: the portal's side of the process in `demo_provider/` (never for production).

It speaks to the process over HTTP on loopback (``DEMO_PROVIDER_URL``), as the portal speaks to a real
provider: a hosted checkout started with an idempotency key, a signed notification read back, a refund.
The API, the hosted page and the notification body are documented in `demo_provider/__init__.py`.

Notifications are signed as `portal.domain.webhook` reads them (``Portal-Signature: t=…,v1=…``, HMAC-SHA256
under ``PAYMENT_WEBHOOK_SECRET``). Their freshness is judged on the real time, as a real provider's
library judges it, not on the portal's clock: the demo clock (``PORTAL_NOW``) stands still in 2020 while
the provider signs at the moment it sends.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from portal.domain import DomainError
from portal.domain.webhook import MAX_BODY_BYTES, MAX_EVENT_ID_LENGTH, SIGNATURE_HEADER, verify
from portal.services.payments.providers.base import (
    CURRENCY,
    BadNotification,
    Checkout,
    CheckoutRequest,
    EventKind,
    Notification,
    ProviderError,
    RefundResult,
)

TIMEOUT_SECONDS = 10
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# The demo's event types, and what the portal makes of them.
EVENT_KINDS = {
    "checkout.paid": EventKind.PAID,
    "checkout.expired": EventKind.EXPIRED,
    "refund.succeeded": EventKind.REFUNDED,
    "refund.failed": EventKind.REFUND_FAILED,
}
MAX_ID_LENGTH = 255


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL: where the demo's hosted checkout page is served."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class DemoProvider:
    name = "demo"
    checkout_origin: str  # the process's own address (DEMO_PROVIDER_URL), set by __init__

    def __init__(self, base_url: str | None, secret: str | bytes | None, *, timeout: float = TIMEOUT_SECONDS) -> None:
        if not base_url or urlsplit(base_url).hostname not in LOOPBACK_HOSTS:
            raise ProviderError("the demo provider runs on 127.0.0.1 only: DEMO_PROVIDER_URL")
        if not secret:
            raise ProviderError("the demo provider needs PAYMENT_WEBHOOK_SECRET")
        self.base_url = base_url.rstrip("/")
        self.checkout_origin = origin_of(self.base_url)
        self.secret = secret.encode() if isinstance(secret, str) else secret
        self.timeout = timeout

    # --- the API ------------------------------------------------------------------------------

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        if request.expires_at.tzinfo is None:
            raise ValueError("expires_at must be aware")
        answer = self._post(
            "/v1/checkout",
            {
                "reference": request.pledge_reference,
                "amount_cents": request.amount_cents,
                "currency": CURRENCY,
                "description": request.description,
                "email": request.email,
                "lang": request.lang,
                "success_url": request.success_url,
                "cancel_url": request.cancel_url,
                "expires_at": request.expires_at.isoformat(),
            },
            request.idempotency_key,
        )
        try:
            return Checkout(
                checkout_id=str(answer["id"]),
                url=str(answer["url"]),
                expires_at=datetime.fromisoformat(answer["expires_at"]),
            )
        except (KeyError, TypeError, ValueError) as problem:
            raise ProviderError(f"the demo provider's checkout answer is not readable: {answer!r}") from problem

    def refund(self, payment_id: str, amount_cents: int, idempotency_key: str) -> RefundResult:
        answer = self._post("/v1/refunds", {"payment_id": payment_id, "amount_cents": amount_cents}, idempotency_key)
        if not isinstance(answer.get("id"), str):
            raise ProviderError(f"the demo provider's refund answer is not readable: {answer!r}")
        return RefundResult(refund_id=answer["id"], done=answer.get("status") == "succeeded")

    def _post(self, path: str, document: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.secret.decode()}",
            "Idempotency-Key": idempotency_key,
        }
        body = json.dumps(document).encode()
        call = urllib.request.Request(self.base_url + path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(call, timeout=self.timeout) as answer:  # loopback only (__init__)
                document = json.loads(answer.read())
        except urllib.error.HTTPError as refused:
            said = refused.read(500).decode(errors="replace")
            raise ProviderError(f"the demo provider refused {path}: {refused.code} {said}") from refused
        except (OSError, ValueError) as problem:
            raise ProviderError(f"the demo provider cannot be reached at {self.base_url}: {problem}") from problem
        if not isinstance(document, dict):
            raise ProviderError(f"the demo provider's answer to {path} is not an object")
        return document

    # --- notifications ------------------------------------------------------------------------

    def read_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """The event in a body signed by the demo provider; `BadNotification` when the signature does
        not verify (forged, altered, stale) or the body is not what the demo provider sends."""
        if len(body) > MAX_BODY_BYTES:
            raise BadNotification("body too large")
        try:
            verify(self.secret, _header(headers, SIGNATURE_HEADER), body, int(time.time()))
        except DomainError as problem:
            raise BadNotification(str(problem.code)) from None
        return parse_notification(body)


def parse_notification(body: bytes) -> Notification:
    """``{"id", "type", "data": {"checkout_id", "reference", "amount_cents", "currency", "payment_id"?,
    "refund_id"?}}``; an unknown type is `EventKind.IGNORED` (acknowledged, nothing done)."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise BadNotification("body is not JSON") from None
    if not isinstance(document, dict):
        raise BadNotification("body is not an object")
    event_id = _text(document, "id", MAX_EVENT_ID_LENGTH)
    kind = EVENT_KINDS.get(document.get("type"), EventKind.IGNORED)  # type: ignore[arg-type]
    if kind is EventKind.IGNORED:
        return Notification(event_id=event_id, kind=kind)
    data = document.get("data")
    if not isinstance(data, dict):
        raise BadNotification("data")
    amount = data.get("amount_cents")
    if type(amount) is not int or amount <= 0:
        raise BadNotification("data.amount_cents")
    if data.get("currency") != CURRENCY:
        raise BadNotification("data.currency")
    needs_payment = kind in (EventKind.PAID, EventKind.REFUNDED, EventKind.REFUND_FAILED)
    needs_refund = kind in (EventKind.REFUNDED, EventKind.REFUND_FAILED)
    return Notification(
        event_id=event_id,
        kind=kind,
        checkout_id=_text(data, "checkout_id"),
        pledge_reference=_text(data, "reference"),
        amount_cents=amount,
        payment_id=_text(data, "payment_id") if needs_payment else _optional_text(data, "payment_id"),
        refund_id=_text(data, "refund_id") if needs_refund else None,
    )


def _text(container: dict, name: str, limit: int = MAX_ID_LENGTH) -> str:
    value = container.get(name)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise BadNotification(name)
    return value


def _optional_text(container: dict, name: str) -> str | None:
    return _text(container, name) if container.get(name) is not None else None


def _header(headers: Mapping[str, str], name: str) -> str:
    """A header by name, whatever its case (a plain dict, or the request's case-insensitive headers)."""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), "")
    return value
