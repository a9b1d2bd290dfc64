"""Contract test of the Stripe Checkout provider.

By default every call goes to `tests/stripe_contract.py`, a local server that checks each request against
Stripe's published OpenAPI description (vendored in tests/contracts/stripe/) and answers with Stripe's
fixtures, themselves checked against the response schemas. `make test-stripe` runs the same tests
against Stripe's test mode (STRIPE_LIVE=1 with a `sk_test_…` STRIPE_SECRET_KEY); there the checks of
what the local server recorded have nothing to look at, and what Stripe answered is checked instead.
The notifications are verified by the library itself in both runs: they never leave this machine.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from datetime import UTC, datetime, timedelta

import pytest
import stripe

from portal.services.payments.providers.base import (
    BadNotification,
    CheckoutRequest,
    EventKind,
    ProviderError,
)
from portal.services.payments.providers.stripe_checkout import StripeProvider
from tests import stripe_contract
from tests.stripe_contract import charge_object, checkout_session, event_body, refund_object, sign

WEBHOOK_SECRET = "whsec_contract_" + "0" * 24
LOCAL_KEY = "sk_test_contract_" + "x" * 24
LIVE = os.environ.get("STRIPE_LIVE") == "1"


@pytest.fixture(scope="module")
def stand_in():
    if LIVE:
        yield None
        return
    state, server = stripe_contract.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def target(stand_in):
    """(provider, raw client, stand-in or None): the same provider either way, pointed where it must be."""
    if LIVE:
        key = os.environ["STRIPE_SECRET_KEY"]
        assert key.startswith(("sk_test_", "rk_test_")), "make test-stripe runs against test mode only"
        return StripeProvider(key, WEBHOOK_SECRET), stripe.StripeClient(key), None
    provider = StripeProvider(LOCAL_KEY, WEBHOOK_SECRET, api_base=stand_in.base_url)
    client = stripe.StripeClient(LOCAL_KEY, base_addresses={"api": stand_in.base_url})
    return provider, client, stand_in


@pytest.fixture(autouse=True)
def no_contract_violations(stand_in):
    yield
    if stand_in is not None:
        assert stand_in.violations == []


def a_request(amount_cents=2000, lang="it", key=None) -> CheckoutRequest:
    reference = f"CC-{secrets.token_hex(4).upper()}"
    return CheckoutRequest(
        pledge_reference=reference,
        amount_cents=amount_cents,
        description="Orto condiviso al Giambellino",
        email="sostenitrice@example.org",
        lang=lang,
        success_url="https://portale.example.org/pagamenti/esito?pegno=" + reference,
        cancel_url="https://portale.example.org/pagamenti/annullato?pegno=" + reference,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
        idempotency_key=key or f"checkout-{reference}",
    )


# -- checkout ---------------------------------------------------------------------------------------


def test_a_checkout_session_is_created_as_stripes_openapi_description_says(target):
    provider, client, stand_in = target
    request = a_request(amount_cents=2050, lang="en")

    checkout = provider.start_checkout(request)

    assert checkout.checkout_id.startswith("cs_")
    assert checkout.url.startswith("http")
    assert abs(checkout.expires_at - request.expires_at) < timedelta(seconds=1)
    stored = client.v1.checkout.sessions.retrieve(checkout.checkout_id)
    assert stored.mode == "payment"
    assert stored.currency == "eur"
    assert stored.amount_total == 2050
    assert stored.client_reference_id == request.pledge_reference
    assert stored.metadata["pledge_reference"] == request.pledge_reference
    assert stored.customer_email == request.email
    assert stored.success_url.endswith("session_id={CHECKOUT_SESSION_ID}")
    assert stored.cancel_url == request.cancel_url
    assert stored.payment_status == "unpaid"
    if stand_in is not None:
        (sent,) = [r for r in stand_in.posts("/v1/checkout/sessions") if r.idempotency_key == request.idempotency_key]
        assert sent.authorization == f"Bearer {LOCAL_KEY}"
        assert sent.params["line_items"] == [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "eur",
                    "unit_amount": 2050,
                    "product_data": {"name": "Orto condiviso al Giambellino"},
                },
            }
        ]
        assert sent.params["locale"] == "en"
        assert sent.params["expires_at"] == int(request.expires_at.timestamp())
        assert sent.params["payment_intent_data"] == {"metadata": {"pledge_reference": request.pledge_reference}}


def test_a_retried_checkout_with_the_same_key_gets_the_same_session(target):
    provider, _, stand_in = target
    request = a_request()

    first = provider.start_checkout(request)
    again = provider.start_checkout(request)

    assert again.checkout_id == first.checkout_id
    if stand_in is not None:
        keys = [r.idempotency_key for r in stand_in.posts("/v1/checkout/sessions")]
        assert keys.count(request.idempotency_key) == 2


def test_the_hosted_page_speaks_italian_by_default(target):
    provider, client, _ = target
    checkout = provider.start_checkout(a_request(lang="it"))
    assert client.v1.checkout.sessions.retrieve(checkout.checkout_id).locale == "it"


def test_a_parameter_outside_stripes_description_is_refused(target):
    """The stand-in is held to the description, as Stripe is: an unknown parameter is a 400."""
    _, client, stand_in = target
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.create(params={"mode": "payment", "not_a_stripe_parameter": "1"})
    if stand_in is not None:
        assert any("not_a_stripe_parameter" in v for v in stand_in.violations)
        stand_in.violations.clear()


# -- refunds ----------------------------------------------------------------------------------------


def _paid_payment_intent(provider, client, stand_in, amount_cents):
    """A payment to refund: locally, a session's payment intent; in test mode, a card payment made now."""
    if stand_in is not None:
        checkout = provider.start_checkout(a_request(amount_cents=amount_cents))
        return client.v1.checkout.sessions.retrieve(checkout.checkout_id).payment_intent
    intent = client.v1.payment_intents.create(
        params={
            "amount": amount_cents,
            "currency": "eur",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        }
    )
    return intent.id


def test_a_refund_names_the_payment_intent_the_amount_and_an_idempotency_key(target):
    provider, client, stand_in = target
    payment_id = _paid_payment_intent(provider, client, stand_in, 3000)
    key = f"refund-{secrets.token_hex(6)}"

    result = provider.refund(payment_id, 1200, key)
    again = provider.refund(payment_id, 1200, key)

    assert result.refund_id.startswith("re_")
    assert again.refund_id == result.refund_id
    assert result.done is True
    if stand_in is not None:
        sent = [r for r in stand_in.posts("/v1/refunds") if r.idempotency_key == key]
        assert [r.params for r in sent] == [{"payment_intent": payment_id, "amount": 1200}] * 2


def test_stripes_refusal_becomes_a_provider_error_that_does_not_show_the_key(target):
    provider, _, _ = target
    with pytest.raises(ProviderError) as refused:
        provider.refund("pi_does_not_exist_" + secrets.token_hex(4), 500, f"refund-{secrets.token_hex(6)}")
    message = str(refused.value)
    assert "InvalidRequestError" in message
    assert "sk_" not in message
    assert refused.value.__cause__ is None


def test_an_unreachable_stripe_is_a_provider_error():
    provider = StripeProvider(LOCAL_KEY, WEBHOOK_SECRET, api_base="http://127.0.0.1:9", max_network_retries=0)
    with pytest.raises(ProviderError, match="APIConnectionError"):
        provider.start_checkout(a_request())


# -- notifications ----------------------------------------------------------------------------------


def deliver(provider, body: bytes, secret=WEBHOOK_SECRET, timestamp=None, header="Stripe-Signature"):
    return provider.read_notification(body, {header: sign(body, secret, timestamp)})


def paid_session(reference="CC-PAID0001", amount=2000, **changes):
    fields = {
        "id": "cs_test_paid",
        "status": "complete",
        "payment_status": "paid",
        "amount_total": amount,
        "amount_subtotal": amount,
        "client_reference_id": reference,
        "metadata": {"pledge_reference": reference},
        "payment_intent": "pi_paid0001",
    }
    return checkout_session(**{**fields, **changes})


@pytest.mark.parametrize("event_type", ["checkout.session.completed", "checkout.session.async_payment_succeeded"])
def test_a_paid_checkout_confirms_the_pledge(target, event_type):
    provider, _, _ = target
    body = event_body(event_type, paid_session(amount=2500))

    notification = deliver(provider, body)

    assert notification.kind is EventKind.PAID
    assert notification.event_id == json.loads(body)["id"]
    assert notification.checkout_id == "cs_test_paid"
    assert notification.pledge_reference == "CC-PAID0001"
    assert notification.amount_cents == 2500
    assert notification.payment_id == "pi_paid0001"


def test_a_completed_checkout_not_yet_paid_is_acknowledged_only(target):
    provider, _, _ = target
    body = event_body("checkout.session.completed", paid_session(payment_status="unpaid"))
    assert deliver(provider, body).kind is EventKind.IGNORED


def test_an_expired_checkout_releases_the_pledge(target):
    provider, _, _ = target
    session = checkout_session(id="cs_test_gone", status="expired", client_reference_id="CC-GONE0001")
    notification = deliver(provider, event_body("checkout.session.expired", session))
    assert (notification.kind, notification.checkout_id, notification.pledge_reference) == (
        EventKind.EXPIRED,
        "cs_test_gone",
        "CC-GONE0001",
    )


@pytest.mark.parametrize(("status", "kind"), [("succeeded", EventKind.REFUNDED), ("failed", EventKind.REFUND_FAILED)])
def test_a_refund_update_says_whether_the_money_went_back(target, status, kind):
    provider, _, _ = target
    refund = refund_object(id="re_contract1", status=status, amount=1200, payment_intent="pi_paid0001")
    notification = deliver(provider, event_body("refund.updated", refund))
    assert (notification.kind, notification.refund_id, notification.amount_cents, notification.payment_id) == (
        kind,
        "re_contract1",
        1200,
        "pi_paid0001",
    )


def test_a_refunded_charge_names_its_latest_refund(target):
    provider, _, _ = target
    refund = refund_object(id="re_contract2", status="succeeded", amount=800, payment_intent="pi_paid0001")
    charge = charge_object(
        refunded=True,
        amount_refunded=800,
        payment_intent="pi_paid0001",
        refunds={"data": [refund], "has_more": False, "object": "list", "url": "/v1/refunds"},
    )
    notification = deliver(provider, event_body("charge.refunded", charge))
    assert (notification.kind, notification.refund_id, notification.amount_cents) == (
        EventKind.REFUNDED,
        "re_contract2",
        800,
    )


def test_other_events_are_acknowledged_and_ignored(target):
    provider, _, _ = target
    body = json.dumps(stripe_contract.FIXTURES["event"]).encode()  # Stripe's own example: plan.created
    assert deliver(provider, body).kind is EventKind.IGNORED


def test_the_header_name_is_read_whatever_its_case(target):
    provider, _, _ = target
    body = event_body("checkout.session.completed", paid_session())
    assert deliver(provider, body, header="stripe-signature").kind is EventKind.PAID


def test_a_payment_in_another_currency_is_refused(target):
    provider, _, _ = target
    body = event_body("checkout.session.completed", paid_session(currency="usd"))
    with pytest.raises(BadNotification):
        deliver(provider, body)


def test_a_tampered_body_is_refused(target):
    provider, _, _ = target
    body = event_body("checkout.session.completed", paid_session(amount=2000))
    header = sign(body, WEBHOOK_SECRET)
    tampered = body.replace(b'"amount_total": 2000', b'"amount_total": 200000')
    assert tampered != body
    with pytest.raises(BadNotification):
        provider.read_notification(tampered, {"Stripe-Signature": header})


def test_a_signature_older_than_the_tolerance_is_refused(target):
    provider, _, _ = target
    body = event_body("checkout.session.completed", paid_session())
    too_old = int(time.time()) - stripe.Webhook.DEFAULT_TOLERANCE - 60
    with pytest.raises(BadNotification):
        deliver(provider, body, timestamp=too_old)


def test_a_signature_made_with_another_secret_is_refused(target):
    provider, _, _ = target
    body = event_body("checkout.session.completed", paid_session())
    with pytest.raises(BadNotification):
        deliver(provider, body, secret="whsec_someone_else")


def test_a_notification_without_signature_or_json_is_refused(target):
    provider, _, _ = target
    with pytest.raises(BadNotification):
        provider.read_notification(b"{}", {})
    with pytest.raises(BadNotification):
        deliver(provider, b"not json")
