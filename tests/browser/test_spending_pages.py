"""Spending reports in the browser: the organisation reports an expense by keyboard only (a refused
receipt first, what was typed kept), staff send it back with JavaScript off; both pages accessible
(axe-core at 1280 and 390 px, with an error shown too) and valid HTML."""

from __future__ import annotations

from datetime import date, datetime

import pyotp
import pytest
from playwright.sync_api import expect

from portal.clock import ROME
from portal.extensions import db
from portal.models import BudgetItem, Role, SpendingReport
from portal.services.accounts import accounts
from portal.services.aftercare import spending
from tests.accounts import PASSWORD, make_user
from tests.applicants import pdf_bytes
from tests.browser.conftest import assert_accessible
from tests.html_validation import vnu_errors
from tests.projects import applied_campaign

pytestmark = pytest.mark.browser
OWNER = "anna@cordata.example"
STAFF = "staff@comune.milano.example"


@pytest.fixture(autouse=True)
def _funded(at):
    at("2021-03-01T10:00:00+01:00")


@pytest.fixture
def world(app):
    secret = make_user(app, STAFF, Role.STAFF)
    application_id, campaign_id = applied_campaign(app, OWNER, succeeded=True, owned=True)
    return {"application": application_id, "campaign": campaign_id, "secret": secret}


def sign_in(page, live_server, email, secret=None):
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    if secret:
        page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Verifica e accedi").click()


def test_the_organisation_reports_by_keyboard_and_staff_send_it_back_without_javascript(
    app, world, page, page_without_js, live_server, axe_source, tmp_path
):
    receipt = tmp_path / "fattura.pdf"
    receipt.write_bytes(pdf_bytes())
    not_a_pdf = tmp_path / "foto.pdf"
    not_a_pdf.write_bytes(b"GIF89a not a pdf")

    sign_in(page, live_server, OWNER)
    page.goto(f"{live_server}/it/domanda/{world['application']}/ricevuta")
    page.get_by_role("link", name="Rendiconto delle spese, con le ricevute").click()
    expect(page.get_by_role("heading", name="Rendiconto delle spese", exact=True)).to_be_visible()
    assert_accessible(page, axe_source)
    pages = [page.content()]

    # By keyboard: each field reached and typed; a file that is not a PDF first.
    page.get_by_label("Voce del budget").focus()
    page.keyboard.press("ArrowDown")  # the first line, "Educatori"
    page.get_by_label("Importo speso, in euro").focus()
    page.keyboard.type("1.250,50")
    page.get_by_label("Che cosa è stato pagato").focus()
    page.keyboard.type("Fattura n. 12 degli educatori")
    page.get_by_label("Data della spesa").focus()
    page.keyboard.type("15/02/2021")
    page.get_by_label("Ricevuta o fattura in PDF").set_input_files(str(not_a_pdf))
    page.get_by_role("button", name="Invia il rendiconto").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Il file non è un PDF")
    assert page.title().startswith("Errore:")
    expect(page.get_by_label("Importo speso, in euro")).to_have_value("1.250,50")
    expect(page.get_by_label("Che cosa è stato pagato")).to_have_value("Fattura n. 12 degli educatori")
    assert_accessible(page, axe_source)
    pages.append(page.content())

    page.get_by_label("Ricevuta o fattura in PDF").set_input_files(str(receipt))
    page.get_by_role("button", name="Invia il rendiconto").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Rendiconto inviato")
    expect(page.get_by_role("cell", name="Da controllare")).to_be_visible()
    assert_accessible(page, axe_source)
    pages.append(page.content())

    staff = page_without_js
    sign_in(staff, live_server, STAFF, world["secret"])
    staff.goto(f"{live_server}/it/gestione/campagne/{world['campaign']}")
    staff.get_by_role("link", name="Rendiconti delle spese della campagna").click()
    expect(staff.get_by_role("heading", name="Fattura n. 12 degli educatori – 1.250,50 €")).to_be_visible()
    expect(staff.get_by_role("link", name="fattura.pdf")).to_be_visible()
    pages.append(staff.content())
    staff.get_by_role("button", name="Rimanda indietro").click()  # no reason: refused
    expect(staff.get_by_role("alert")).to_contain_text("Scrivi il motivo")
    pages.append(staff.content())
    staff.get_by_label("Perché lo rimandi indietro").fill("Manca la data sulla fattura")
    staff.get_by_role("button", name="Rimanda indietro").click()
    expect(staff.get_by_role("status")).to_contain_text("Rendiconto rimandato")
    expect(staff.get_by_text("Rimandato indietro")).to_be_visible()
    pages.append(staff.content())
    with app.app_context():
        assert db.session.scalars(db.select(SpendingReport.reason)).one() == "Manca la data sulla fattura"

    page.reload()
    expect(page.get_by_text("Rimandato indietro: Manca la data sulla fattura")).to_be_visible()

    files = []
    for number, html in enumerate(pages):
        target = tmp_path / f"spending-{number}.html"
        target.write_text(html)
        files.append(str(target))
    assert vnu_errors(files) == []


def test_the_staff_page_is_accessible(app, world, page, live_server, axe_source):
    with app.app_context():
        line = db.session.scalars(db.select(BudgetItem.id).filter_by(application_id=world["application"])).first()
        owner = accounts.user_by_email(OWNER)
        spending.submit_report(
            world["campaign"], line, 30_000, "Tavoli", date(2021, 2, 1), True, "tavoli.pdf", pdf_bytes(), owner,
            datetime(2021, 3, 1, 10, 0, tzinfo=ROME),
        )  # fmt: skip
    sign_in(page, live_server, STAFF, world["secret"])
    page.goto(f"{live_server}/it/gestione/campagne/{world['campaign']}/spese")
    expect(page.get_by_role("heading", name="Da controllare")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Approva").click()
    expect(page.get_by_role("status")).to_contain_text("Rendiconto approvato")
    assert_accessible(page, axe_source)
