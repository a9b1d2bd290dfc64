"""The organisation's "Dopo la raccolta" page, the campaign page's section and the call page's
sum of the indicators, in the browser:
accessible (axe-core at 1280 and 390 px) with milestones, indicators and an error shown, valid HTML
(Nu), usable with the keyboard alone and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import ImpactIndicator
from tests.accounts import PASSWORD
from tests.browser.conftest import assert_accessible
from tests.html_validation import vnu_errors
from tests.projects import applied_campaign

pytestmark = pytest.mark.browser
OWNER = "anna@cordata.example"
MARCH_2021 = "2021-03-01T10:00:00+01:00"


@pytest.fixture
def application_id(app, at):
    """Anna's selected application became Lab Barona, which succeeded; one indicator chosen."""
    at(MARCH_2021)
    application_id, _ = applied_campaign(app, OWNER, selected=True, succeeded=True)
    with app.app_context():
        db.session.add(ImpactIndicator(application_id=application_id, code="volunteers", target=12))
        db.session.commit()
    return application_id


def sign_in(page, live_server, email):
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()


def test_the_page_is_accessible_valid_and_works_with_the_keyboard(
    app, application_id, page, live_server, axe_source, tmp_path
):
    sign_in(page, live_server, OWNER)
    page.goto(f"{live_server}/it/domanda/{application_id}/dopo-la-raccolta")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dopo la raccolta")
    expect(page.locator("#tappe")).to_contain_text("Avvio del progetto")
    expect(page.locator("#tappe")).to_contain_text("In ritardo")
    assert_accessible(page, axe_source)
    pages = [page.content()]

    # Keyboard only: the value reached, then Tab to its button and Enter.
    page.get_by_label("Valore raggiunto").focus()
    page.keyboard.type("15")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Comunica il valore – Volontari coinvolti")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Valore comunicato")
    expect(page.locator("#indicatore-volunteers")).to_contain_text("raggiunto: 15")

    # A new milestone with an impossible date: announced, and what was typed kept.
    new = page.locator("#nuova-tappa + form")
    new.get_by_label("Titolo della tappa").fill("Festa di quartiere")
    new.get_by_label("Data prevista").fill("31/02/2021")
    page.get_by_role("button", name="Aggiungi la tappa").click()
    expect(page.get_by_role("alert").first).to_contain_text("Scrivi una data vera")
    assert page.title().startswith("Errore:")
    expect(page.locator("#nuova-tappa + form").get_by_label("Titolo della tappa")).to_have_value("Festa di quartiere")
    assert_accessible(page, axe_source)
    pages.append(page.content())

    page.goto(f"{live_server}/it/progetti/lab-barona")
    section = page.locator("#dopo-la-raccolta")
    expect(section).to_contain_text("Avvio del progetto")
    expect(section.locator("strong", has_text="In ritardo")).to_have_count(1)
    expect(section.get_by_role("table")).to_contain_text("Volontari coinvolti")
    assert_accessible(page, axe_source)
    pages.append(page.content())

    # The call page adds up what the edition's funded projects achieved.
    page.goto(f"{live_server}/it/bando/2020")
    achieved = page.locator("#risultati")
    expect(achieved.get_by_role("table")).to_contain_text("Volontari coinvolti")
    expect(achieved.get_by_role("table")).to_contain_text("15")
    assert_accessible(page, axe_source)
    pages.append(page.content())

    page.goto(f"{live_server}/it/dati-aperti")
    assert_accessible(page, axe_source)
    pages.append(page.content())

    files = []
    for number, html in enumerate(pages):
        target = tmp_path / f"aftercare-{number}.html"
        target.write_text(html)
        files.append(str(target))
    assert vnu_errors(files) == []


def test_the_page_works_without_javascript(app, application_id, page_without_js, live_server):
    page = page_without_js
    sign_in(page, live_server, OWNER)
    page.goto(f"{live_server}/it/domanda/{application_id}/ricevuta")
    page.get_by_role("link", name="Dopo la raccolta: tappe del progetto e indicatori di impatto").click()
    first = page.locator("#tappe li").first
    first.get_by_label("Stato").select_option(label="Completata")
    first.get_by_role("button", name=re.compile("^Salva la tappa")).click()
    expect(page.get_by_role("status")).to_contain_text("Tappa aggiornata.")
    assert re.search(r"/dopo-la-raccolta#tappa-\d+$", page.url)
    expect(page.locator("#tappe li").first).to_contain_text("Completata")
    expect(page.locator("#tappe li").first).to_contain_text("completata il 1 marzo 2021")
