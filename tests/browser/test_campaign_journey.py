"""The issue's walk-through, end to end in a real browser with the clock in November 2020: a citizen
finds Lab Barona from the map, shares the filtered view, pledges twice; the provider's signed
notification confirms one payment and staff's bank-statement import the other; the 40% marker is
passed and the Comune's 12.000 € appear on the campaign page and in the tracker."""

from __future__ import annotations

import json
import urllib.request

import pyotp
import pytest
from playwright.sync_api import expect

from portal.domain.webhook import sign
from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import assert_accessible
from tests.campaigns import NOVEMBER, NOVEMBER_AT, make_campaign

pytestmark = pytest.mark.browser
STAFF = "giulia@comune.milano.example"


def pledge_in_the_browser(page, amount: str, name: str) -> str:
    page.get_by_role("link", name="Sostieni il progetto").first.click()
    page.get_by_label("Importo del sostegno, in euro").fill(amount)
    page.get_by_label("Nome e cognome").fill(name)
    page.get_by_label("Indirizzo e-mail").fill("anna@example.org")
    page.locator("label[for=metodo-1]").click()  # Bonifico bancario (the card is chosen by default)
    page.locator("label[for=privacy]").click()
    page.get_by_role("button", name="Conferma il sostegno").click()
    expect(page.get_by_role("heading", name="Come pagare con un bonifico")).to_be_visible()
    return page.locator(".payment-reference").inner_text()


def provider_notifies(live_server: str, secret: str, reference: str, amount_cents: int) -> dict:
    body = json.dumps(
        {
            "id": f"evt_{reference}",
            "type": "payment.succeeded",
            "data": {"reference": reference, "amount_cents": amount_cents, "currency": "EUR"},
        }
    ).encode()
    request = urllib.request.Request(
        f"{live_server}/api/pagamenti/notifiche",
        data=body,
        headers={"Portal-Signature": sign(secret.encode(), int(NOVEMBER_AT.timestamp()), body)},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_from_the_map_to_the_comunes_grant(app, page, browser, live_server, axe_source, at):
    at(NOVEMBER)
    make_campaign(app)  # Lab Barona, Municipio 6: goal 20.000 €, target 8.000 €, grant 12.000 €
    make_campaign(app, "ClimBinG", municipio=2, nil_id=13, goal_cents=3_000_000)
    staff_secret = make_user(app, STAFF)

    # The map: Municipio 6 leads to a gallery with Lab Barona only, at a URL that can be shared.
    page.goto(f"{live_server}/it/progetti")
    page.get_by_role("link", name="Municipio 6: 1 progetto").first.click()
    expect(page).to_have_url(f"{live_server}/it/progetti?municipio=6#risultati")
    expect(page.get_by_role("link", name="Lab Barona")).to_be_visible()
    expect(page.get_by_role("link", name="ClimBinG")).to_have_count(0)
    shared = browser.new_page()
    shared.goto(page.url)
    expect(shared.get_by_role("link", name="Lab Barona")).to_be_visible()
    expect(shared.get_by_role("link", name="ClimBinG")).to_have_count(0)
    shared.close()

    # The campaign: the Comune's contribution is locked until 8.000 € are confirmed.
    page.get_by_role("link", name="Lab Barona").click()
    expect(page.get_by_text("bloccato: si sblocca quando i cittadini raggiungono la soglia")).to_be_visible()
    first = pledge_in_the_browser(page, "5.000", "Anna Rossi")
    page.goto(f"{live_server}/it/progetti/lab-barona")
    second = pledge_in_the_browser(page, "3.000", "Marco Bianchi")

    # The provider confirms the first payment; a pending pledge never counts.
    assert provider_notifies(live_server, app.config["PAYMENT_WEBHOOK_SECRET"], first, 5_000_00)["outcome"] == (
        "confirmed"
    )
    page.goto(f"{live_server}/it/progetti/lab-barona")
    expect(page.get_by_text("bloccato: si sblocca quando i cittadini raggiungono la soglia")).to_be_visible()

    # Staff import the bank statement with the second transfer.
    page.goto(f"{live_server}/it/gestione/pagamenti")
    page.get_by_label("Indirizzo e-mail").fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.get_by_label("Codice di verifica").fill(pyotp.TOTP(staff_secret).now())
    page.get_by_role("button", name="Verifica e accedi").click()
    statement = f"data;importo;causale;id_movimento\r\n16/11/2020;3.000,00;Bonifico {second};TX-1\r\n".encode()
    page.get_by_label("File dell'estratto conto (CSV)").set_input_files(
        {"name": "novembre.csv", "mimeType": "text/csv", "buffer": statement}
    )
    page.get_by_role("button", name="Carica e controlla").click()
    page.get_by_role("button", name="Conferma 1 pagamento").click()
    expect(page.get_by_role("status")).to_contain_text("il Comune ha impegnato il suo contributo di 12.000 €")

    # The marker is passed: the campaign shows the grant unlocked, the tracker the money committed.
    page.goto(f"{live_server}/it/progetti/lab-barona")
    expect(page.get_by_text("sbloccato il 15 novembre 2020")).to_be_visible()
    expect(page.get_by_text("8.000 € raccolti su 8.000 € della soglia dei cittadini")).to_be_visible()
    assert_accessible(page, axe_source)
    page.goto(f"{live_server}/it/bando/2020/cofinanziamento")
    expect(page.locator("#figure-committed")).to_have_text("12.000 €")
    expect(page.get_by_role("row", name="Lab Barona")).to_contain_text("12.000 €")
    assert_accessible(page, axe_source)
