"""Stripe Checkout, through the official `stripe` library: a hosted payment page, its notifications, refunds.

Every call goes through one `stripe.StripeClient`; `api_base` points it at another address (the contract
test's local server) through the library's own `base_addresses`. Amounts are integer cents in EUR; every
call that creates something carries the caller's idempotency key. A notification is verified with the
library's own signature check (`construct_event`, HMAC-SHA256 with the endpoint's secret, 5 minutes'
tolerance) before anything in it is read.

The `stripe` library is imported when a provider is built, not with this module: the CSP reads
`StripeProvider.checkout_origin` on every response, and ~6 MB per worker is too much for a constant.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from portal.services.payments.providers.base import (
    BadNotification,
    Checkout,
    CheckoutRequest,
    EventKind,
    Notification,
    ProviderError,
    RefundResult,
)

log = logging.getLogger(__name__)

STRIPE_CURRENCY = "eur"
# Stripe's hosted page speaks the portal's two languages; anything else lets the browser choose.
LOCALES = {"it": "it", "en": "en"}
# Stripe documents this placeholder: it replaces it with the session's id when it redirects back.
SESSION_ID_PLACEHOLDER = "{CHECKOUT_SESSION_ID}"
SIGNATURE_HEADER = "Stripe-Signature"


def success_url_with_session(url: str) -> str:
    """The success URL with the session id Stripe fills in, as its documentation shows."""
    if SESSION_ID_PLACEHOLDER in url:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}session_id={SESSION_ID_PLACEHOLDER}"


class StripeProvider:
    name = "stripe"
    checkout_origin = "https://checkout.stripe.com"  # where Checkout Sessions' `url` leads

    def __init__(
        self, secret_key: str, webhook_secret: str, api_base: str | None = None, *, max_network_retries: int = 2
    ):
        if not secret_key:
            raise ProviderError("STRIPE_SECRET_KEY is not configured")
        import stripe

        self._webhook_secret = webhook_secret
        options: dict[str, Any] = {"max_network_retries": max_network_retries}
        if api_base:
            options["base_addresses"] = {"api": api_base.rstrip("/")}
        self._client = stripe.StripeClient(secret_key, **options)

    # -- checkout -------------------------------------------------------------------------------

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        if request.amount_cents <= 0:
            raise ProviderError("the amount must be a positive number of cents")
        reference = request.pledge_reference
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": STRIPE_CURRENCY,
                        "unit_amount": request.amount_cents,
                        "product_data": {"name": request.description[:250]},
                    },
                }
            ],
            "customer_email": request.email,
            "locale": LOCALES.get(request.lang, "auto"),
            "success_url": success_url_with_session(request.success_url),
            "cancel_url": request.cancel_url,
            "expires_at": int(request.expires_at.timestamp()),
            "client_reference_id": reference,
            "metadata": {"pledge_reference": reference},
            "payment_intent_data": {"metadata": {"pledge_reference": reference}},
        }
        session = self._call(
            self._client.v1.checkout.sessions.create,
            params=params,
            options={"idempotency_key": request.idempotency_key},
        )
        if not session.url:
            raise ProviderError("Stripe returned a Checkout Session without a payment page")
        return Checkout(
            checkout_id=session.id,
            url=session.url,
            expires_at=datetime.fromtimestamp(session.expires_at, UTC),
        )

    # -- notifications --------------------------------------------------------------------------

    def read_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        signature = _header(headers, SIGNATURE_HEADER)
        if not signature:
            raise BadNotification("no Stripe-Signature header")
        import stripe

        try:
            event = self._client.construct_event(body, signature, self._webhook_secret)
        except stripe.SignatureVerificationError as error:
            raise BadNotification("the signature does not verify") from error
        except ValueError as error:  # not JSON
            raise BadNotification("the body is not a Stripe event") from error
        try:
            return _notification_of(event.to_dict())
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise BadNotification(f"the event's shape is not Stripe's: {error}") from error

    # -- refunds --------------------------------------------------------------------------------

    def refund(self, payment_id: str, amount_cents: int, idempotency_key: str) -> RefundResult:
        if amount_cents <= 0:
            raise ProviderError("the amount must be a positive number of cents")
        refund = self._call(
            self._client.v1.refunds.create,
            params={"payment_intent": payment_id, "amount": amount_cents},
            options={"idempotency_key": idempotency_key},
        )
        if refund.status in ("failed", "canceled"):
            raise ProviderError(f"Stripe refused the refund ({refund.status})")
        return RefundResult(refund_id=refund.id, done=refund.status == "succeeded")

    @staticmethod
    def _call(method, **kwargs):
        """One call to Stripe; the library's errors become a ProviderError that never carries the key."""
        import stripe

        try:
            return method(**kwargs)
        except stripe.StripeError as error:
            kind = type(error).__name__
            detail = error.user_message or (error.error.message if error.error else None) or ""
            log.warning("Stripe call failed: %s (HTTP %s, request %s)", kind, error.http_status, error.request_id)
            raise ProviderError(f"Stripe: {kind} {detail}".strip()) from None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def _notification_of(event: dict[str, Any]) -> Notification:
    kind = event["type"]
    obj = event["data"]["object"]
    event_id = event["id"]
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        _check_currency(obj)
        if obj["payment_status"] != "paid":
            # Completed but not paid yet (a delayed method): the async_payment_* event follows.
            return Notification(event_id=event_id, kind=EventKind.IGNORED, checkout_id=obj["id"])
        amount = obj["amount_total"]
        if not isinstance(amount, int) or amount <= 0:
            raise ValueError("amount_total is not a positive integer")
        return Notification(
            event_id=event_id,
            kind=EventKind.PAID,
            checkout_id=obj["id"],
            pledge_reference=_reference_of(obj),
            amount_cents=amount,
            payment_id=_id_of(obj.get("payment_intent")),
        )
    if kind == "checkout.session.expired":
        return Notification(
            event_id=event_id,
            kind=EventKind.EXPIRED,
            checkout_id=obj["id"],
            pledge_reference=_reference_of(obj),
        )
    if kind == "refund.updated" or kind == "refund.failed":
        _check_currency(obj)
        status = obj["status"]
        outcome = {"succeeded": EventKind.REFUNDED, "failed": EventKind.REFUND_FAILED}.get(status)
        if outcome is None:
            return Notification(event_id=event_id, kind=EventKind.IGNORED)
        return Notification(
            event_id=event_id,
            kind=outcome,
            amount_cents=obj["amount"],
            payment_id=_id_of(obj.get("payment_intent")),
            refund_id=obj["id"],
        )
    if kind == "charge.refunded":
        _check_currency(obj)
        refunds = (obj.get("refunds") or {}).get("data") or []
        latest = refunds[0] if refunds else None
        return Notification(
            event_id=event_id,
            kind=EventKind.REFUNDED,
            amount_cents=latest["amount"] if latest else obj["amount_refunded"],
            payment_id=_id_of(obj.get("payment_intent")),
            refund_id=latest["id"] if latest else None,
        )
    return Notification(event_id=event_id, kind=EventKind.IGNORED)


def _check_currency(obj: Any) -> None:
    currency = obj.get("currency")
    if currency is not None and str(currency).lower() != STRIPE_CURRENCY:
        raise ValueError(f"currency {currency!r} is not EUR")


def _reference_of(obj: Any) -> str | None:
    reference = obj.get("client_reference_id")
    if reference:
        return reference
    metadata = obj.get("metadata") or {}
    return metadata.get("pledge_reference") or None


def _id_of(value: Any) -> str | None:
    """An expandable field: an id, or the expanded object."""
    if value is None or isinstance(value, str):
        return value
    return value["id"]
