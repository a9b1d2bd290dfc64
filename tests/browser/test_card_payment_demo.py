"""Paying by card through the demo provider, end to end, as a newcomer does after `make run`: the
portal's pledge form with "Paga con carta", the provider's hosted page (the real process,
`python -m demo_provider`, on a free port of 127.0.0.1), "Paga", the signed notification reaching the
portal, and back on the portal the pledge confirmed and the campaign's total moved. Also "Annulla",
a declined card, the same checkout again for a second try, and a forged notification refused."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from portal.domain.pledge import PledgeStatus
from portal.domain.webhook import sign
from portal.extensions import db
from portal.models import Campaign, Pledge
from tests.browser.conftest import assert_accessible
from tests.campaigns import NOVEMBER, make_campaign
from tests.demo_provider import DemoProviderServer
from tests.visitor import Browser

pytestmark = pytest.mark.browser

PAGE = "/it/progetti/lab-barona"


@pytest.fixture(scope="module")
def demo_provider(app, live_server):
    """The demo provider, notifying the live portal, on the portal's clock of these tests."""
    notify_url = f"{live_server}/api/pagamenti/notifiche/demo"
    with DemoProviderServer(notify_url, app.config["PAYMENT_WEBHOOK_SECRET"], now=NOVEMBER) as process:
        yield process


@pytest.fixture(scope="module")
def slow_provider(app, live_server):
    """The demo provider notifying three seconds after sending the person back."""
    notify_url = f"{live_server}/api/pagamenti/notifiche/demo"
    secret = app.config["PAYMENT_WEBHOOK_SECRET"]
    with DemoProviderServer(notify_url, secret, now=NOVEMBER, notify_delay=3) as process:
        yield process


@pytest.fixture(autouse=True)
def _card_payments(app, at, live_server, demo_provider, monkeypatch):
    at(NOVEMBER)
    monkeypatch.setitem(app.config, "PAYMENT_PROVIDER", "demo")
    monkeypatch.setitem(app.config, "DEMO_PROVIDER_URL", demo_provider.url)
    monkeypatch.setitem(app.config, "SITE_URL", live_server)  # the provider sends the person back here


@pytest.fixture
def campaign_id(app):
    return make_campaign(app)


def only_pledge(app) -> Pledge:
    with app.app_context():
        found = db.session.scalars(db.select(Pledge)).one()
        db.session.expunge(found)
        return found


def confirmed_cents(app, campaign_id: int) -> int:
    with app.app_context():
        return db.session.get(Campaign, campaign_id).confirmed_cents


def pledge_by_card(page, live_server: str, amount: str = "20") -> None:
    page.goto(f"{live_server}{PAGE}/sostieni")
    page.get_by_label("Importo del sostegno, in euro").fill(amount)
    page.get_by_label("Nome e cognome").fill("Anna Rossi")
    page.get_by_label("Indirizzo e-mail").fill("anna@example.org")
    page.locator("label[for=privacy]").click()
    page.get_by_label("Paga con carta").check()
    page.get_by_role("button", name="Conferma il sostegno").click()


def expect_hosted_page(page, demo_provider) -> None:
    expect(page).to_have_url(re.compile(rf"^{re.escape(demo_provider.url)}/pay/cs_"))
    expect(page.get_by_role("heading", name="Pagamento con carta")).to_be_visible()
    expect(page.get_by_text("Lab Barona")).to_be_visible()
    expect(page.get_by_label("Numero della carta")).to_have_value("4242 4242 4242 4242")


def test_paying_by_card_confirms_the_pledge_and_moves_the_total(
    app, page, live_server, demo_provider, campaign_id, axe_source
):
    assert confirmed_cents(app, campaign_id) == 0
    pledge_by_card(page, live_server)

    expect_hosted_page(page, demo_provider)
    expect(page.locator(".amount")).to_have_text("20,00\u00a0€")
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Paga", exact=True).click()

    created = only_pledge(app)
    expect(page).to_have_url(f"{live_server}/it/sostegno/{created.token}")
    expect(page.locator(".pledge-status")).to_have_text("Pagamento ricevuto")
    assert created.status is PledgeStatus.CONFIRMED
    assert confirmed_cents(app, campaign_id) == 20_00
    [paid] = [event for event in demo_provider.events() if event["type"] == "checkout.paid"]
    assert paid["delivered"] and '"outcome":"confirmed"' in paid["last_answer"].replace(" ", "")


def test_a_notification_after_the_person_is_back_updates_the_page(
    app, page, live_server, slow_provider, campaign_id, monkeypatch
):
    monkeypatch.setitem(app.config, "DEMO_PROVIDER_URL", slow_provider.url)
    pledge_by_card(page, live_server)
    expect_hosted_page(page, slow_provider)

    page.get_by_role("button", name="Paga", exact=True).click()

    status = page.locator(".pledge-status")
    expect(status).to_have_text("Stiamo ricevendo la conferma del pagamento")
    assert confirmed_cents(app, campaign_id) == 0
    expect(status).to_have_text("Pagamento ricevuto", timeout=20_000)  # htmx asks again, no reload
    assert confirmed_cents(app, campaign_id) == 20_00


def test_cancel_leads_back_to_the_portal_and_a_second_try_opens_the_same_checkout(
    app, page, live_server, demo_provider, campaign_id
):
    pledge_by_card(page, live_server)
    expect_hosted_page(page, demo_provider)
    hosted = page.url

    page.get_by_role("button", name="Annulla").click()

    created = only_pledge(app)
    expect(page).to_have_url(f"{live_server}/it/sostegno/{created.token}/non-pagato")
    expect(page.get_by_text("Il pagamento non è stato fatto: non ti è stato addebitato nulla.")).to_be_visible()
    assert created.status is PledgeStatus.PENDING
    # "Paga con carta" again: the checkout still open is the same one (same idempotency key).
    page.get_by_role("button", name="Paga con carta").click()
    expect(page).to_have_url(hosted)
    assert only_pledge(app).checkout_id == created.checkout_id
    assert confirmed_cents(app, campaign_id) == 0


def test_a_declined_card_is_said_on_the_hosted_page_without_javascript(
    app, page_without_js, live_server, demo_provider, campaign_id
):
    page = page_without_js
    pledge_by_card(page, live_server, "35")
    expect_hosted_page(page, demo_provider)
    card = page.get_by_label("Numero della carta")

    card.fill("4000 0000 0000 0002")
    page.get_by_role("button", name="Paga", exact=True).click()

    expect(page).to_have_title(re.compile("^Errore: "))
    expect(page.get_by_role("alert")).to_contain_text("La carta è stata rifiutata")
    expect(card).to_be_focused()
    expect(card).to_have_attribute("aria-invalid", "true")
    assert only_pledge(app).status is PledgeStatus.PENDING
    card.fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Paga", exact=True).click()
    expect(page.locator(".pledge-status")).to_have_text("Pagamento ricevuto")
    assert confirmed_cents(app, campaign_id) == 35_00


def test_a_forged_notification_is_refused_by_the_portal(app, page, live_server, demo_provider, campaign_id):
    pledge_by_card(page, live_server)
    expect_hosted_page(page, demo_provider)
    created = only_pledge(app)
    data = {"checkout_id": created.checkout_id, "reference": created.reference, "amount_cents": 20_00}
    data |= {"currency": "EUR", "payment_id": "pay_forged"}
    body = json.dumps({"id": "evt_forged", "type": "checkout.paid", "data": data}).encode()
    url = f"{live_server}/api/pagamenti/notifiche/demo"

    for signature in (
        sign(b"not-the-shared-secret", int(time.time()), body),  # forged
        sign(app.config["PAYMENT_WEBHOOK_SECRET"].encode(), int(time.time()) - 3600, body),  # replayed an hour on
        "",
    ):
        answer = Browser().request("POST", url, body=body, headers={"Portal-Signature": signature})
        assert (answer.status, answer.json()) == (400, {"error": "bad_notification"})

    assert only_pledge(app).status is PledgeStatus.PENDING
    assert confirmed_cents(app, campaign_id) == 0
