"""The bank transfer's details in a real browser: "Copia" copies each value (the IBAN without spaces)
and the live region says so; without JavaScript the values are plain text and no button shows; the
EPC QR code loads; the supporter's page passes axe at desktop and phone widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Pledge
from tests.browser.conftest import DESKTOP, assert_accessible
from tests.campaigns import NOVEMBER, make_campaign, pledge

pytestmark = pytest.mark.browser

IBAN = "IT60X0542811101000000123456"
GROUPED = "IT60 X054 2811 1010 0000 0123 456"
BENEFICIARY = "Comune di Milano – Crowdfunding Civico"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def status_path(app) -> str:
    campaign_id = make_campaign(app)
    reference = pledge(app, campaign_id, 25_50)
    with app.app_context():
        token = db.session.scalars(db.select(Pledge.token).filter_by(reference=reference)).one()
    return f"/it/sostegno/{token}"


@pytest.fixture
def clipboard_page(browser):
    """A page whose origin may read and write the clipboard, as a person's browser lets it."""
    context = browser.new_context(viewport=DESKTOP, locale="it-IT", permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    yield page
    context.close()


def reference_of(app) -> str:
    with app.app_context():
        return db.session.scalars(db.select(Pledge.reference)).one()


def clipboard(page) -> str:
    return page.evaluate("() => navigator.clipboard.readText()")


def test_copy_buttons_copy_each_value_and_say_so(app, clipboard_page, live_server, status_path, axe_source):
    page = clipboard_page
    page.goto(live_server + status_path)
    details = page.locator(".payment-details")
    expect(details.locator(".iban")).to_have_text(GROUPED)
    status = page.locator(".bank-transfer [data-copy-status]")
    expect(status).to_have_attribute("role", "status")  # a live region, there before anything is copied
    expect(status).to_be_attached()
    expect(status).to_be_empty()

    expect(page.get_by_role("button", name="Copia", exact=False)).to_have_count(4)
    page.get_by_role("button", name="Copia l'IBAN").click()
    expect(status).to_have_text("IBAN copiato")
    assert clipboard(page) == IBAN  # without the spaces that make it readable

    page.get_by_role("button", name="Copia la causale").click()
    expect(status).to_have_text("Causale copiata")
    assert clipboard(page) == reference_of(app)

    page.get_by_role("button", name="Copia l'importo").click()
    expect(status).to_have_text("Importo copiato")
    assert clipboard(page) == "25,50"

    page.get_by_role("button", name="Copia il beneficiario").click()
    expect(status).to_have_text("Beneficiario copiato")
    assert clipboard(page) == BENEFICIARY

    # The same value twice is announced twice: the region is emptied, then filled again.
    page.get_by_role("button", name="Copia l'IBAN").click()
    expect(status).to_have_text("IBAN copiato")

    # The visible word is the start of each button's name (WCAG 2.5.3) and the keyboard reaches it.
    button = page.get_by_role("button", name="Copia la causale")
    expect(button).to_have_text("Copia")
    button.focus()
    page.keyboard.press("Enter")
    expect(status).to_have_text("Causale copiata")

    qr = page.get_by_role("img", name="Codice QR del bonifico: contiene beneficiario, IBAN, importo e causale")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    expect(page.locator(".epc-qr figcaption")).to_contain_text("Inquadra il codice con l'app della tua banca")

    assert_accessible(page, axe_source)


def test_without_javascript_the_values_are_plain_text_and_no_button_shows(
    app, page_without_js, live_server, status_path
):
    page = page_without_js
    page.goto(live_server + status_path)
    details = page.locator(".payment-details")
    expect(details.locator(".iban")).to_have_text(GROUPED)
    expect(details).to_contain_text(BENEFICIARY)
    expect(details).to_contain_text("25,50 €")
    expect(page.locator(".payment-reference")).to_have_text(reference_of(app))
    expect(page.locator(".bank-transfer button")).to_have_count(0)
    expect(page.locator("[data-copy-status]")).to_be_hidden()
    expect(page.get_by_role("img", name="Codice QR del bonifico", exact=False)).to_be_visible()


def test_the_printed_page_keeps_the_code_and_leaves_out_the_buttons(clipboard_page, live_server, status_path):
    page = clipboard_page
    page.goto(live_server + status_path)
    expect(page.get_by_role("button", name="Copia l'IBAN")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Copia l'IBAN")).to_be_hidden()
    expect(page.locator(".epc-qr img")).to_be_visible()
    expect(page.locator(".iban")).to_have_text(GROUPED)
