"""Registering for lessons in the browser, with JavaScript and without; the personal page."""

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import OutboxMessage
from tests.browser.conftest import run_axe

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _june_10(at):
    at("2020-06-10T10:00:00+02:00")


def fill(page, email):
    page.locator("label[for=lezioni-0]").click()
    page.locator("label[for=lezioni-2]").click()
    page.get_by_label("Nome e cognome").fill("Anna Rossi")
    page.get_by_label("Indirizzo e-mail").fill(email)
    page.locator("label[for=privacy]").click()
    page.get_by_role("button", name="Iscriviti").click()


def personal_link(app, email):
    with app.app_context():
        body = db.session.scalars(db.select(OutboxMessage.body).filter_by(to=email)).first()
    return re.search(r"http://127\.0\.0\.1:5000(\S+)", body).group(1)


def test_register_with_javascript_in_place_and_announced(page, live_server, axe_source):
    page.goto(f"{live_server}/it/calendario/iscrizione")
    page.evaluate("window.__notReloaded = true")
    fill(page, "anna@example.org")
    expect(page.get_by_role("heading", name="Richiesta ricevuta")).to_be_visible()
    expect(page.locator("#registration-status")).to_have_text(
        "Richiesta ricevuta: ti abbiamo scritto a anna@example.org."
    )
    assert page.evaluate("window.__notReloaded") is True
    assert run_axe(page, axe_source) == []


def test_register_without_javascript_then_cancel_from_the_personal_page(app, page_without_js, live_server, axe_source):
    page = page_without_js
    page.goto(f"{live_server}/it/calendario/iscrizione")
    fill(page, "bruno@example.org")
    expect(page.get_by_role("heading", name="Richiesta ricevuta")).to_be_visible()
    expect(page.get_by_text("posto confermato")).to_have_count(2)

    page.goto(live_server + personal_link(app, "bruno@example.org"))
    expect(page.get_by_role("heading", name="Le tue iscrizioni")).to_be_visible()
    expect(page.get_by_text("zoom.example/j/crowdfunding-civico-2020-lezione-1")).to_be_visible()
    page.get_by_role("button", name=re.compile("Le opportunità del crowdfunding")).click()
    expect(page.get_by_role("status")).to_have_text("Iscrizione annullata.")
    expect(page.get_by_role("button", name=re.compile("Annulla l'iscrizione"))).to_have_count(1)

    # The lessons not held are one click away, same rules and e-mail as the form.
    expect(
        page.get_by_role("button", name=re.compile("^Iscriviti.+Le opportunità|^Iscriviti.+Ogni campagna"))
    ).to_have_count(2)
    page.get_by_role("button", name=re.compile("^Iscriviti.+Ogni campagna")).click()
    expect(page.get_by_role("status")).to_contain_text(
        "lunedì 22 giugno 2020, 16:00–18:00 (ora di Roma): posto confermato."
    )
    expect(page.get_by_role("status")).to_contain_text("bruno@example.org")
    expect(page.get_by_role("button", name=re.compile("Annulla l'iscrizione"))).to_have_count(2)


def test_errors_without_javascript_are_listed_and_linked(page_without_js, live_server):
    page = page_without_js
    page.goto(f"{live_server}/en/calendario/iscrizione")
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_title(re.compile("^Error:"))
    page.locator("#error-summary").get_by_role("link", name="Choose at least one lesson").click()
    expect(page).to_have_url(re.compile("#lezioni-0$"))


def test_the_personal_page_is_accessible(app, page, live_server, axe_source, client):
    page.goto(f"{live_server}/it/calendario/iscrizione")
    fill(page, "carla@example.org")
    expect(page.get_by_role("heading", name="Richiesta ricevuta")).to_be_visible()
    page.goto(live_server + personal_link(app, "carla@example.org"))
    assert run_axe(page, axe_source) == []


def test_register_for_the_whole_course_by_keyboard_only(page, live_server):
    page.goto(f"{live_server}/it/calendario/iscrizione")
    page.locator("#lezioni-0").focus()
    for _ in range(3):  # tick every lesson with the space bar, moving on with Tab
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "nome"
    page.keyboard.type("Carla Verdi")
    page.keyboard.press("Tab")
    page.keyboard.type("carla@example.org")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the optional organisation stays empty
    assert page.evaluate("document.activeElement.id") == "privacy"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the privacy notice link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "newsletter"  # separate, unticked: left so
    page.keyboard.press("Tab")  # the newsletter's privacy note
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "register-submit"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Richiesta ricevuta")).to_be_visible()
    expect(page.get_by_text("posto confermato")).to_have_count(3)
