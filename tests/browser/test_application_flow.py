"""Applying in the browser: sign up, confirm, fill every step (JavaScript on, off, keyboard), submit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import OutboxMessage
from tests.accounts import PASSWORD
from tests.applicants import draft, make_applicant, pdf_bytes
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser
ANNA = "anna@cordata.example"


@pytest.fixture(autouse=True)
def _july_10(at):
    at("2020-07-10T10:00:00+02:00")


def last_link_to(app, email):
    with app.app_context():
        body = db.session.scalars(
            db.select(OutboxMessage.body).filter_by(to=email).order_by(OutboxMessage.id.desc())
        ).first()
    return re.search(r"http://127\.0\.0\.1:5000(/\S+)", body).group(1)


def sign_in(page, live_server, email=ANNA):
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()


def fill_steps(page, tmp_path):
    """Steps 1–5 as a person fills them; the page after each "Salva e continua" is the next step."""
    page.get_by_label("Titolo del progetto").fill("Lab Barona")
    page.get_by_label("Sintesi (al massimo 400 caratteri)").fill("Un laboratorio di quartiere")
    page.get_by_label("Descrizione del progetto").fill("Attività per ragazzi e famiglie")
    page.get_by_label("Tema").select_option("inclusione")
    page.get_by_label("Quartiere (NIL) in cui si svolge").select_option("46")
    page.get_by_label("Perché è importante in questo quartiere").fill("Mancano spazi")
    page.get_by_role("button", name="Salva e continua", exact=True).click()

    expect(page.get_by_role("heading", name="Tempi")).to_be_visible()
    page.get_by_label("Data di inizio").fill("2021-01-01")
    page.get_by_label("Data di fine").fill("2021-12-31")
    page.get_by_role("button", name="Salva e continua", exact=True).click()

    fill_from_budget(page, tmp_path)


def submit(page):
    expect(page.get_by_role("heading", name="Controlla la domanda e inviala")).to_be_visible()
    for name in ("rappresentante", "requisiti", "veridicita", "privacy"):
        page.locator(f"label[for={name}]").click()
    page.get_by_role("button", name="Conferma e invia").click()
    expect(page.get_by_role("heading", name="Ricevuta della domanda")).to_be_visible()
    expect(page.locator(".protocol")).to_have_text("CC2020-0001")


def test_sign_up_confirm_and_apply_with_javascript(app, page, live_server, axe_source, tmp_path):
    page.goto(f"{live_server}/it/registrazione")
    page.get_by_label("Nome e cognome").fill("Anna Rossi")
    page.get_by_label("Indirizzo e-mail").fill(ANNA)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Ripeti la password").fill(PASSWORD)
    page.locator("label[for=privacy]").click()
    page.get_by_role("button", name="Crea l'account").click()
    expect(page.get_by_role("heading", name="Controlla la tua e-mail")).to_be_visible()
    page.goto(live_server + last_link_to(app, ANNA))
    expect(page.get_by_role("status")).to_have_text("Indirizzo confermato: ora puoi accedere.")
    sign_in(page, live_server)

    expect(page.get_by_role("heading", name="Dati dell'organizzazione")).to_be_visible()
    page.get_by_label("Nome dell'organizzazione").fill("La Cordata")
    page.get_by_label("Forma giuridica").select_option("impresa_sociale")
    page.get_by_label("Codice fiscale dell'organizzazione").fill("80012000826")
    page.get_by_label("Indirizzo della sede operativa a Milano").fill("Via Ettore Ponti 15")
    page.get_by_label("Quartiere (NIL) della sede").select_option("46")
    page.get_by_label("Persona di riferimento", exact=True).fill("Anna Rossi")
    page.get_by_label("Telefono della persona di riferimento").fill("02 1234567")
    page.get_by_role("button", name="Salva i dati").click()
    page.get_by_role("button", name="Inizia la domanda").click()
    expect(page.get_by_role("heading", name="La tua domanda")).to_be_visible()
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="1. Il progetto").click()
    expect(page.get_by_role("heading", name="Il progetto")).to_be_visible()
    # A person types once the page has loaded. (Not wait_for_function: when its first look fails it
    # polls with a function built from the string, which the portal's CSP refuses: no 'unsafe-eval'.)
    page.wait_for_load_state("load")
    assert page.evaluate("window.htmx !== undefined")

    # Autosave: typing is saved without leaving the page, and announced politely.
    page.evaluate("window.__notReloaded = true")
    page.get_by_label("Titolo del progetto").fill("Lab Barona")
    expect(page.locator("#autosave-status")).to_have_text("Bozza salvata alle 10:00", timeout=10_000)
    assert page.evaluate("window.__notReloaded") is True
    assert_accessible(page, axe_source)

    fill_steps(page, tmp_path)
    assert_accessible(page, axe_source)
    submit(page)
    assert_accessible(page, axe_source)
    assert "Domanda ricevuta: protocollo CC2020-0001" in last_subject(app, ANNA)


def last_subject(app, email):
    with app.app_context():
        return db.session.scalars(
            db.select(OutboxMessage.subject).filter_by(to=email).order_by(OutboxMessage.id.desc())
        ).first()


def test_apply_without_javascript_leave_and_resume(app, page_without_js, live_server, tmp_path):
    page = page_without_js
    make_applicant(app, ANNA)
    draft(app, ANNA, complete=False)  # the project is written; the rest is left for another day
    sign_in(page, live_server)
    expect(page.get_by_role("heading", name="Tempi")).to_be_visible()  # resumes at the first incomplete step

    page.get_by_label("Data di inizio").fill("2021-01-01")
    page.get_by_label("Data di fine").fill("2022-06-30")
    page.get_by_role("button", name="Salva e continua", exact=True).click()
    expect(page).to_have_title(re.compile("^Errore: "))
    page.get_by_role("link", name=re.compile("al massimo 12 mesi")).click()
    assert page.evaluate("document.activeElement.id") == "fine"
    page.get_by_label("Data di fine").fill("2021-12-31")
    page.get_by_role("button", name="Salva e continua più tardi").click()
    expect(page.get_by_role("status")).to_contain_text("Bozza salvata")

    page.goto(f"{live_server}/it/domanda/riprendi")  # leave and come back: the first step still to do
    expect(page.get_by_role("heading", name="Budget")).to_be_visible()
    page.get_by_role("link", name="Torna all'elenco delle sezioni").click()
    page.get_by_role("link", name="1. Il progetto").click()
    page.get_by_role("button", name="Salva e continua", exact=True).click()
    expect(page.get_by_role("heading", name="Tempi")).to_be_visible()
    page.get_by_role("button", name="Salva e continua", exact=True).click()
    fill_from_budget(page, tmp_path)
    submit(page)


def fill_from_budget(page, tmp_path):
    expect(page.get_by_role("heading", name="Budget")).to_be_visible()
    page.locator("#righe-0-descrizione").fill("Educatori")
    page.locator("#righe-0-categoria").select_option("personale")
    page.locator("#righe-0-importo").fill("20000")
    page.get_by_role("button", name="Salva e continua", exact=True).click()
    expect(page.get_by_role("heading", name="Piano della campagna")).to_be_visible()
    page.locator("#ricompense-0-titolo").fill("Grazie")
    page.locator("#ricompense-0-importo").fill("10")
    page.locator("#ricompense-0-descrizione").fill("Una cartolina")
    page.get_by_label("Piano di comunicazione").fill("Social e volantini")
    page.get_by_label("La squadra della campagna").fill("Tre soci")
    page.get_by_role("button", name="Salva e continua", exact=True).click()
    statute = tmp_path / "statuto.pdf"
    statute.write_bytes(pdf_bytes())
    page.get_by_label("Documento in PDF").set_input_files(statute)
    page.get_by_role("button", name="Carica il file").click()
    page.get_by_role("link", name="Continua al riepilogo").click()


def test_a_step_by_keyboard_only(app, page, live_server):
    make_applicant(app, ANNA)
    application_id = draft(app, ANNA, complete=False)
    sign_in(page, live_server)
    page.goto(f"{live_server}/it/domanda/{application_id}/tempi")
    page.locator("#inizio").focus()
    page.keyboard.type("01/01/2021")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "fine"
    page.keyboard.type("31/12/2021")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Salva e continua"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Budget")).to_be_visible()


def test_every_error_state_of_the_area_is_accessible(app, page, live_server, axe_source):
    make_applicant(app, ANNA)
    application_id = draft(app, ANNA, complete=False)
    sign_in(page, live_server)
    base = f"{live_server}/it/domanda/{application_id}"
    for step in ("progetto", "tempi", "budget", "campagna"):
        page.goto(f"{base}/{step}")
        if step == "progetto":
            page.get_by_label("Titolo del progetto").fill("")
        page.get_by_role("button", name="Salva e continua", exact=True).click()
        expect(page).to_have_title(re.compile("^Errore: "))
        assert_accessible(page, axe_source)
    page.goto(f"{base}/allegati")
    page.get_by_role("button", name="Carica il file").click()
    assert_accessible(page, axe_source)
    page.goto(f"{base}/riepilogo")
    assert_accessible(page, axe_source)
    page.goto(f"{live_server}/it/domanda/organizzazione")
    page.get_by_label("Codice fiscale dell'organizzazione").fill("123")
    page.get_by_role("button", name="Salva i dati").click()
    expect(page).to_have_title(re.compile("^Errore: "))
    assert_accessible(page, axe_source)
    page.goto(f"{live_server}/en/domanda/{application_id}/")
    assert_accessible(page, axe_source)
