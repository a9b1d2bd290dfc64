"""The demo payment provider (`python -m demo_provider`) and the portal's client of it (`DemoProvider`).

The real process runs on a free port of 127.0.0.1 and notifies a small receiver standing in for the
portal, which reads each notification with `DemoProvider.read_notification` as the portal does. The
portal's own endpoint, pages and pledges are walked in tests/browser/test_card_payment_demo.py.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from portal.domain.webhook import sign
from portal.services.payments.providers.base import (
    BadNotification,
    CheckoutRequest,
    EventKind,
    Notification,
    ProviderError,
)
from portal.services.payments.providers.demo import DemoProvider
from tests.demo_provider import DemoProviderServer
from tests.html_validation import vnu_errors
from tests.servers import ROOT, portal_env, wait_for
from tests.visitor import Browser

SECRET = "demo-provider-test-secret"
PAID_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


class Receiver:
    """The portal's notification endpoint, as far as the provider can tell: it reads each notification
    with the client's `read_notification` and answers 200, or 400 for one it refuses; `refuse_next`
    makes it answer 503 that many times (a portal down for a moment)."""

    def __init__(self, client_secret: str) -> None:
        self.reader = DemoProvider("http://127.0.0.1:9", client_secret)
        self.received: list[Notification] = []
        self.refused: list[str] = []
        self.refuse_next = 0
        self.lock = threading.Lock()
        app = Flask("receiver")
        app.add_url_rule("/notify", "notify", self.notify, methods=["POST"])
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/notify"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def notify(self):
        with self.lock:
            if self.refuse_next:
                self.refuse_next -= 1
                return {"error": "down"}, 503
        try:
            notification = self.reader.read_notification(request.get_data(), request.headers)
        except BadNotification as problem:
            with self.lock:
                self.refused.append(str(problem))
            return {"error": "bad"}, 400
        with self.lock:
            self.received.append(notification)
        return {"outcome": "ok"}

    def about(self, checkout_id: str) -> list[Notification]:
        with self.lock:
            return [n for n in self.received if n.checkout_id == checkout_id]

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture(scope="module")
def receiver():
    receiver = Receiver(SECRET)
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def process(receiver):
    """The provider on the real clock, checking expiry often (a test waits for one)."""
    with DemoProviderServer(receiver.url, SECRET, sweep_seconds=0.2) as process:
        yield process


@pytest.fixture
def provider(process) -> DemoProvider:
    return DemoProvider(process.url, SECRET)


def checkout_request(**changes) -> CheckoutRequest:
    fields = {
        "pledge_reference": f"CC2020-{secrets.token_hex(4).upper()}-A",
        "amount_cents": 20_00,
        "description": "Lab Barona",
        "email": "ada@example.org",
        "lang": "it",
        "success_url": "http://127.0.0.1:5000/it/sostegni/esito?sessione={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://127.0.0.1:5000/it/sostegni/annullato",
        "expires_at": datetime.now(UTC) + timedelta(minutes=35),
        "idempotency_key": secrets.token_hex(8),
    }
    return CheckoutRequest(**{**fields, **changes})


def pay(url: str, card: str = PAID_CARD, action: str = "pay", **more: str):
    return Browser().post(url, {"card": card, "action": action, **more})


# --- checkouts --------------------------------------------------------------------------------


def test_the_same_idempotency_key_gives_the_same_session(provider):
    asked = checkout_request()
    first = provider.start_checkout(asked)
    again = provider.start_checkout(asked)
    other = provider.start_checkout(checkout_request(pledge_reference=asked.pledge_reference))

    assert (again.checkout_id, again.url, again.expires_at) == (first.checkout_id, first.url, first.expires_at)
    assert other.checkout_id != first.checkout_id
    assert first.url.startswith("http://127.0.0.1:") and first.url.endswith(f"/pay/{first.checkout_id}")
    assert first.expires_at == asked.expires_at
    with pytest.raises(ProviderError, match="409"):  # the same key for another amount: refused, not reused
        provider.start_checkout(checkout_request(idempotency_key=asked.idempotency_key, amount_cents=30_00))


def test_the_api_refuses_what_a_real_provider_would(process, provider):
    with pytest.raises(ProviderError, match="expires_at"):
        provider.start_checkout(checkout_request(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    with pytest.raises(ProviderError, match="amount_cents"):
        provider.start_checkout(checkout_request(amount_cents=0))
    with pytest.raises(ProviderError, match="success_url"):
        provider.start_checkout(checkout_request(success_url="javascript:alert(1)"))
    body = {"reference": "R", "amount_cents": 100, "currency": "USD", "description": "x", "lang": "it"}
    body |= {"success_url": "http://a.example/", "cancel_url": "http://a.example/", "expires_at": "2999-01-01T00:00Z"}
    headers = {"Authorization": f"Bearer {SECRET}", "Idempotency-Key": "k", "Content-Type": "application/json"}
    answer = Browser().request("POST", f"{process.url}/v1/checkout", body=json.dumps(body).encode(), headers=headers)
    assert (answer.status, answer.json()) == (400, {"error": "invalid", "field": "currency"})
    unsigned = Browser().request("POST", f"{process.url}/v1/checkout", body=b"{}", headers={"Idempotency-Key": "k"})
    assert unsigned.status == 401
    wrong = DemoProvider(process.url, "not-the-secret")
    with pytest.raises(ProviderError, match="401"):
        wrong.start_checkout(checkout_request())
    with pytest.raises(ProviderError, match="cannot be reached"):  # nothing listens there
        DemoProvider("http://127.0.0.1:9", SECRET, timeout=2).start_checkout(checkout_request())


def test_the_client_talks_to_loopback_only_and_needs_the_secret():
    with pytest.raises(ProviderError):
        DemoProvider("https://payments.example.com", SECRET)
    with pytest.raises(ProviderError):
        DemoProvider(None, SECRET)
    with pytest.raises(ProviderError):
        DemoProvider("http://127.0.0.1:5010", "")


def test_the_process_refuses_to_notify_outside_the_machine_or_without_a_secret():
    command = [sys.executable, "-m", "demo_provider", "--notify-url"]
    outside = subprocess.run(
        [*command, "https://portal.example.com/notify"],
        cwd=ROOT,
        env=portal_env(PAYMENT_WEBHOOK_SECRET=SECRET),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert outside.returncode != 0 and "127.0.0.1" in outside.stderr
    secretless = subprocess.run(
        [*command, "http://127.0.0.1:9/notify"], cwd=ROOT, env=portal_env(), capture_output=True, text=True, timeout=60
    )
    assert secretless.returncode != 0 and "PAYMENT_WEBHOOK_SECRET" in secretless.stderr


# --- the hosted page --------------------------------------------------------------------------


def test_the_hosted_page_in_italian_and_english_is_valid_html(provider, tmp_path: Path):
    checkout = provider.start_checkout(checkout_request(amount_cents=1_234_56, description="Orti <Giambellino>"))
    italian = Browser().get(checkout.url)
    english = Browser().get(f"{checkout.url}?lang=en")
    declined = pay(checkout.url, DECLINED_CARD)
    missing = Browser().get(f"{checkout.url}x")

    assert italian.status == 200 and '<html lang="it">' in italian.text
    for said in ("Pagamento con carta", "1.234,56\u00a0€", "Orti &lt;Giambellino&gt;", "ada@example.org"):
        assert said in italian.text
    assert 'value="4242 4242 4242 4242"' in italian.text and "4000 0000 0000 0002" in italian.text
    assert ">Paga</button>" in italian.text and ">Annulla</button>" in italian.text
    assert '<label for="card">Numero della carta</label>' in italian.text
    assert italian.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert '<html lang="en">' in english.text and "€1,234.56" in english.text
    assert ">Pay</button>" in english.text and ">Cancel</button>" in english.text
    assert missing.status == 404 and "Pagamento inesistente" in missing.text
    files = []
    for name, answer in {"it": italian, "en": english, "declined": declined, "missing": missing}.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_bytes(answer.body)
    assert vnu_errors([str(file) for file in files]) == []


# --- paying -----------------------------------------------------------------------------------


def test_paying_notifies_the_portal_signed_then_sends_the_person_back(provider, receiver):
    asked = checkout_request()
    checkout = provider.start_checkout(asked)

    answer = pay(checkout.url)

    assert answer.status == 303
    assert answer.location == f"http://127.0.0.1:5000/it/sostegni/esito?sessione={checkout.checkout_id}"
    # Sent before the redirect: the portal knows before the person is back.
    [paid] = receiver.about(checkout.checkout_id)
    assert paid.kind is EventKind.PAID
    assert (paid.pledge_reference, paid.amount_cents) == (asked.pledge_reference, 20_00)
    assert paid.payment_id.startswith("pay_") and paid.event_id.startswith("evt_")
    # Paying twice (a double click, the back button) charges once.
    assert pay(checkout.url).status == 303
    assert Browser().get(checkout.url).text.count("Pagamento già eseguito") >= 1
    assert len(receiver.about(checkout.checkout_id)) == 1


def test_a_declined_card_says_so_on_the_page_and_charges_nothing(provider, receiver):
    checkout = provider.start_checkout(checkout_request())

    declined = pay(checkout.url, DECLINED_CARD)
    mistyped = pay(checkout.url, "1234")
    empty = pay(checkout.url, "  ")

    assert declined.status == 402
    assert "La carta è stata rifiutata" in declined.text and "<title>Errore: " in declined.text
    assert (
        'aria-invalid="true" autofocus' in declined.text and 'aria-describedby="card-error card-hint"' in declined.text
    )
    assert 'role="alert"' in declined.text and 'value="4000 0000 0000 0002"' in declined.text
    assert mistyped.status == 422 and "non è valido" in mistyped.text
    assert empty.status == 422 and "Inserisci il numero della carta" in empty.text
    english = pay(checkout.url, DECLINED_CARD, lang="en")
    assert "The card was declined" in english.text
    assert receiver.about(checkout.checkout_id) == []
    # The person may try again with the card that pays.
    assert pay(checkout.url).status == 303
    assert [n.kind for n in receiver.about(checkout.checkout_id)] == [EventKind.PAID]


def test_cancel_goes_back_to_the_portal_without_paying(provider, receiver):
    checkout = provider.start_checkout(checkout_request())

    answer = pay(checkout.url, action="cancel")

    assert (answer.status, answer.location) == (303, "http://127.0.0.1:5000/it/sostegni/annullato")
    assert receiver.about(checkout.checkout_id) == []


def test_an_expired_checkout_is_scaduta_and_notified_once(provider, receiver):
    checkout = provider.start_checkout(checkout_request(expires_at=datetime.now(UTC) + timedelta(seconds=1.5)))
    assert Browser().get(checkout.url).status == 200

    wait_for(lambda: receiver.about(checkout.checkout_id), "the expiry notified", timeout=15)
    page = Browser().get(checkout.url)
    late = pay(checkout.url)

    assert page.status == 410 and "Pagamento scaduto" in page.text and "è scaduta il" in page.text
    assert "Torna al portale" in page.text
    assert late.status == 410
    [expired] = receiver.about(checkout.checkout_id)
    assert (expired.kind, expired.payment_id) == (EventKind.EXPIRED, None)


def test_a_notification_the_portal_does_not_take_is_sent_again(provider, receiver, process):
    checkout = provider.start_checkout(checkout_request())
    receiver.refuse_next = 1

    assert pay(checkout.url).status == 303  # the person is back at once; the provider keeps trying

    wait_for(lambda: receiver.about(checkout.checkout_id), "the notification retried", timeout=15)
    event_id = receiver.about(checkout.checkout_id)[0].event_id

    def event() -> dict:
        [sent] = [e for e in process.events() if e["id"] == event_id]
        return sent

    # The provider marks the event delivered once it has read the receiver's answer, a moment after
    # the receiver took it.
    wait_for(lambda: event()["delivered"], "the provider saw the delivery", timeout=5)
    assert event()["attempts"] == 2


# --- refunds ----------------------------------------------------------------------------------


def test_a_refund_succeeds_once_per_key_and_is_notified(provider, receiver):
    checkout = provider.start_checkout(checkout_request(amount_cents=50_00))
    pay(checkout.url)
    [paid] = receiver.about(checkout.checkout_id)

    refund = provider.refund(paid.payment_id, 50_00, "refund-1")
    again = provider.refund(paid.payment_id, 50_00, "refund-1")

    assert refund.done and refund.refund_id.startswith("re_") and again == refund
    wait_for(lambda: len(receiver.about(checkout.checkout_id)) == 2, "the refund notified", timeout=15)
    refunded = receiver.about(checkout.checkout_id)[1]
    assert refunded.kind is EventKind.REFUNDED
    assert (refunded.refund_id, refunded.payment_id, refunded.amount_cents) == (
        refund.refund_id,
        paid.payment_id,
        50_00,
    )
    assert refunded.pledge_reference == paid.pledge_reference
    with pytest.raises(ProviderError, match="amount_above_what_is_left"):
        provider.refund(paid.payment_id, 1, "refund-2")
    with pytest.raises(ProviderError, match="unknown_payment"):
        provider.refund("pay_nothing", 1, "refund-3")


# --- reading notifications ----------------------------------------------------------------------


def signed(body: bytes, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    return {"Portal-Signature": sign(secret.encode(), at if at is not None else int(time.time()), body)}


def test_only_a_notification_signed_with_the_secret_now_is_read():
    reader = DemoProvider("http://127.0.0.1:9", SECRET)
    data = {"checkout_id": "cs_1", "reference": "CC2020-ABCDEF12-A", "amount_cents": 2000, "currency": "EUR"}
    body = json.dumps({"id": "evt_1", "type": "checkout.paid", "data": {**data, "payment_id": "pay_1"}}).encode()

    read = reader.read_notification(body, signed(body))

    assert read == Notification("evt_1", EventKind.PAID, "cs_1", "CC2020-ABCDEF12-A", 2000, "pay_1")
    # Headers as a plain dict in another case, as a framework may hand them over.
    assert reader.read_notification(body, {"portal-signature": signed(body)["Portal-Signature"]}) == read
    for forged in (
        signed(body, secret="forged"),  # another secret
        signed(body, at=int(time.time()) - 600),  # captured ten minutes ago and replayed
        {"Portal-Signature": "t=1,v1=00"},
        {},
    ):
        with pytest.raises(BadNotification):
            reader.read_notification(body, forged)
    with pytest.raises(BadNotification):  # altered after signing
        reader.read_notification(body.replace(b"2000", b"2"), signed(body))


def test_a_notification_of_another_shape_is_refused_or_ignored():
    reader = DemoProvider("http://127.0.0.1:9", SECRET)
    ignored = json.dumps({"id": "evt_2", "type": "payment.succeeded", "data": {}}).encode()
    assert reader.read_notification(ignored, signed(ignored)) == Notification("evt_2", EventKind.IGNORED)
    data = {"checkout_id": "cs_1", "reference": "R", "amount_cents": 2000, "currency": "EUR", "payment_id": "p"}
    for wrong in (
        b"[]",
        b"not json",
        {"type": "checkout.paid", "data": data},
        {"id": "e", "type": "checkout.paid", "data": {**data, "amount_cents": True}},
        {"id": "e", "type": "checkout.paid", "data": {**data, "currency": "USD"}},
        {"id": "e", "type": "checkout.paid", "data": {k: v for k, v in data.items() if k != "payment_id"}},
        {"id": "e", "type": "refund.succeeded", "data": data},  # no refund id
        {"id": "e" * 300, "type": "checkout.paid", "data": data},
    ):
        body = wrong if isinstance(wrong, bytes) else json.dumps(wrong).encode()
        with pytest.raises(BadNotification):
            reader.read_notification(body, signed(body))
