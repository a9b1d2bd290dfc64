"""Staff in the browser: import a bank statement, check the preview, confirm, and see the campaign's
totals and the Comune's grant change; every page accessible at both widths."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import assert_accessible
from tests.campaigns import NOVEMBER, make_campaign, pledge

pytestmark = pytest.mark.browser
STAFF = "giulia@comune.milano.example"


def statement(*rows: str) -> bytes:
    return "\r\n".join(("data;importo;causale;id_movimento", *rows)).encode()


def test_staff_import_a_statement_and_the_grant_is_committed(app, page, live_server, axe_source, at):
    at(NOVEMBER)
    secret = make_user(app, STAFF)
    campaign_id = make_campaign(app)
    big = pledge(app, campaign_id, 500_000, name="Anna Rossi")
    second = pledge(app, campaign_id, 300_000, name=None)

    page.goto(f"{live_server}/it/gestione/campagne/{campaign_id}/sostegni")
    page.get_by_label("Indirizzo e-mail").fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verifica e accedi").click()
    expect(page.get_by_role("heading", name="Sostegni a «Lab Barona»")).to_be_visible()
    expect(page.locator(".pledge-totals")).to_contain_text("Non impegnato (riservati 12.000 €)")
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Importa un estratto conto").click()
    expect(page.get_by_role("heading", name="Pagamenti", exact=True)).to_be_visible()
    expect(page.get_by_role("rowheader", name="id_movimento")).to_be_visible()
    assert_accessible(page, axe_source)

    upload = page.get_by_label("File dell'estratto conto (CSV)")
    upload.set_input_files({"name": "export.xlsx", "mimeType": "application/octet-stream", "buffer": b"PK\x03\x04\x00"})
    page.get_by_role("button", name="Carica e controlla").click()
    expect(page.get_by_role("alert")).to_contain_text("Il file non è un CSV in UTF-8")
    expect(page).to_have_title("Errore: Pagamenti – Crowdfunding Civico – Comune di Milano")
    assert_accessible(page, axe_source)
    page.get_by_role("alert").get_by_role("link").click()
    expect(upload).to_be_focused()

    content = statement(
        f"16/11/2020;5.000,00;Bonifico Anna Rossi {big};TX-1",
        f"16/11/2020;3.000,00;{second};TX-2",
        "16/11/2020;15,00;Per il quartiere;TX-3",
        "31/11/2020;10,00;x;TX-4",
    )
    upload.set_input_files({"name": "novembre.csv", "mimeType": "text/csv", "buffer": content})
    page.get_by_role("button", name="Carica e controlla").click()
    expect(page.get_by_role("heading", name="Controlla l'estratto conto")).to_be_visible()
    expect(page.get_by_role("row", name=f"2 16 novembre 2020 5.000,00 € {big} Anna Rossi Lab Barona")).to_be_visible()
    expect(page.get_by_text("Riga 5: la data «31/11/2020» non è nel formato gg/mm/aaaa")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_role("button", name="Conferma 2 pagamenti").click()
    expect(page.get_by_role("status")).to_contain_text("«novembre.csv»: 2 pagamenti confermati.")
    expect(page.get_by_role("status")).to_contain_text(
        "«Lab Barona» ha raggiunto la soglia: il Comune ha impegnato il suo contributo di 12.000 €."
    )
    assert_accessible(page, axe_source)

    page.get_by_role("link", name="Lab Barona").click()
    totals = page.locator(".pledge-totals")
    expect(totals).to_contain_text("8.000,00 €")
    expect(totals).to_contain_text("12.000 €, impegnato il domenica 15 novembre 2020, 12:00")
    expect(page.get_by_role("heading", name="Confermato")).to_be_visible()
    assert_accessible(page, axe_source)

    # The same file again: nothing to confirm, and the page says why.
    page.goto(f"{live_server}/it/gestione/pagamenti")
    page.get_by_label("File dell'estratto conto (CSV)").set_input_files(
        {"name": "novembre.csv", "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Carica e controlla").click()
    expect(page.get_by_role("status")).to_have_text(
        "Questo estratto conto è già stato importato: 2 movimenti avevano confermato un sostegno "
        "e gli altri non ne confermano nessuno. Nulla cambia."
    )
    expect(page.get_by_role("button", name="Conferma 2 pagamenti")).to_have_count(0)
    assert_accessible(page, axe_source)
