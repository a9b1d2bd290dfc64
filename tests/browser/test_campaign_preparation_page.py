"""The team's preparation page in the browser: accessible (axe-core at 1280 and 390 px) with the
checklist and with an error shown, valid HTML, usable with the keyboard alone and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.accounts import PASSWORD
from tests.browser.conftest import assert_accessible
from tests.campaigns import NOVEMBER
from tests.html_validation import vnu_errors
from tests.projects import applied_campaign

pytestmark = pytest.mark.browser
OWNER = "anna@cordata.example"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def application_id(app):
    return applied_campaign(app, OWNER, published=False, rewards=(("Cartolina", 1_000, None),))[0]


def sign_in(page, live_server, email):
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()


def score_text(page):
    return page.locator(".readiness-score")


def test_the_page_is_accessible_valid_and_works_with_the_keyboard(
    app, application_id, page, live_server, axe_source, tmp_path
):
    sign_in(page, live_server, OWNER)
    page.goto(f"{live_server}/it/domanda/{application_id}/preparazione")
    expect(page.get_by_role("heading", level=1)).to_have_text("Prepara la campagna")
    expect(score_text(page)).to_contain_text("Punteggio di preparazione: 0 su 100")
    expect(page.get_by_role("progressbar", name="Punteggio di preparazione")).to_have_attribute("aria-valuenow", "0")
    assert_accessible(page, axe_source)
    pages = [page.content()]

    # Keyboard only: into the team's field, type, Tab to its button, Enter.
    page.get_by_label("Le persone del team, una per riga: «Nome — ruolo»").focus()
    page.keyboard.type("Anna — coordinamento")
    for name in ("Bruno — foto", "Carla — conti"):
        page.keyboard.press("Enter")
        page.keyboard.type(name)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Salva il team")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Team salvato.")
    expect(score_text(page)).to_contain_text("Punteggio di preparazione: 15 su 100")
    expect(page.locator('[data-item="team"]')).to_contain_text("Team: 3 persone su 3")

    # A reward with a wrong amount: the error is announced and what was typed is kept.
    page.get_by_label("Nome della ricompensa").last.fill("Tazza")
    page.get_by_label("Donazione minima (euro)").last.fill("venti")
    page.get_by_label("Che cosa riceve chi dona").last.fill("Una tazza fatta a mano.")
    page.get_by_role("button", name="Aggiungi la ricompensa").click()
    expect(page.get_by_role("alert").first).to_contain_text("Scrivi un importo in euro")
    assert page.title().startswith("Errore:")
    expect(page.get_by_label("Donazione minima (euro)").last).to_have_value("venti")
    expect(page.get_by_label("Nome della ricompensa").last).to_have_value("Tazza")
    assert_accessible(page, axe_source)
    pages.append(page.content())

    files = []
    for number, html in enumerate(pages):
        target = tmp_path / f"preparation-{number}.html"
        target.write_text(html)
        files.append(str(target))
    assert vnu_errors(files) == []


def test_the_page_works_without_javascript(app, application_id, page_without_js, live_server):
    page = page_without_js
    sign_in(page, live_server, OWNER)
    page.goto(f"{live_server}/it/domanda/{application_id}/ricevuta")
    page.get_by_role("link", name="Prepara la campagna").click()
    page.get_by_label("Gli aggiornamenti previsti, uno per riga").fill("Settimana 1\nSettimana 2\nSettimana 3")
    page.get_by_role("button", name="Salva il piano").click()
    expect(page.get_by_role("status")).to_contain_text("Piano degli aggiornamenti salvato.")
    expect(score_text(page)).to_contain_text("Punteggio di preparazione: 10 su 100")
    assert re.search(r"/preparazione#piano$", page.url)
