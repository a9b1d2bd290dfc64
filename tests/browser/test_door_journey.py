"""The door to apply in the browser, as a new organisation finds it: from a positive eligibility check
to the application's first step, with JavaScript and without, in Italian and English; every page
of the way without axe violations; a closed call offers next steps instead."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import OutboxMessage
from tests.accounts import PASSWORD
from tests.applicants import codice_fiscale
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser
ELIGIBLE = "forma=associazione&non_profit=si&sede_milano=si&durata=12&costo=20.000"
WORDS = {
    "it": {"apply": "Presenta la domanda", "create": "Crea un account", "begin": "Inizia la domanda"},
    "en": {"apply": "Apply", "create": "Create an account", "begin": "Start the application"},
}


def last_link_to(app, email: str) -> str:
    with app.app_context():
        body = db.session.scalars(
            db.select(OutboxMessage.body).filter_by(to=email).order_by(OutboxMessage.id.desc())
        ).first()
    return re.search(r"http://127\.0\.0\.1:5000(/\S+)", body).group(1)


def submit(page) -> None:
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state("load")


def journey(app, page, live_server, axe_source, lang: str, email: str, number: int, *, check_axe: bool) -> None:
    words = WORDS[lang]
    page.goto(f"{live_server}/{lang}/bando/verifica-requisiti?{ELIGIBLE}")
    page.get_by_role("link", name=words["apply"], exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{lang}/domanda/presenta$"))
    if check_axe:
        assert_accessible(page, axe_source)
    page.get_by_role("link", name=words["create"], exact=True).click()

    page.locator("#nome").fill("Anna Rossi")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#conferma").fill(PASSWORD)
    page.locator("label[for=privacy]").click()
    submit(page)
    expect(page.locator("h1")).to_have_text("Controlla la tua e-mail" if lang == "it" else "Check your e-mail")
    if check_axe:
        assert_accessible(page, axe_source)

    page.goto(live_server + last_link_to(app, email))
    expect(page.locator("#email")).to_have_value(email)  # the sign-in, the address filled
    if check_axe:
        assert_accessible(page, axe_source)
    page.locator("#password").fill(PASSWORD)
    submit(page)

    expect(page).to_have_url(re.compile(rf"/{lang}/domanda/organizzazione\?next="))
    page.locator("#nome").fill("La Cordata")
    page.locator("#forma").select_option("associazione")
    page.locator("#codice_fiscale").fill(codice_fiscale(number))
    page.locator("#indirizzo").fill("Via Ettore Ponti 15")
    page.locator("#nil").select_option("46")
    page.locator("#referente").fill("Anna Rossi")
    page.locator("#telefono").fill("02 1234567")
    submit(page)

    expect(page).to_have_url(re.compile(rf"/{lang}/domanda/presenta$"))
    if check_axe:
        assert_accessible(page, axe_source)
    page.get_by_role("button", name=words["begin"]).click()
    expect(page).to_have_url(re.compile(rf"/{lang}/domanda/\d+/$"))


def test_from_the_eligibility_result_to_the_application_with_javascript(app, page, live_server, axe_source, at):
    at("2020-06-10T10:00:00+02:00")
    journey(app, page, live_server, axe_source, "it", "anna@cordata.example", 1, check_axe=True)


def test_from_the_eligibility_result_to_the_application_without_javascript_in_english(
    app, page_without_js, live_server, axe_source, at
):
    at("2020-06-10T10:00:00+02:00")
    journey(app, page_without_js, live_server, axe_source, "en", "bruno@cordata.example", 2, check_axe=False)


def test_a_closed_call_offers_next_steps(page, live_server, axe_source, at):
    at("2020-08-01T00:00:00+02:00")
    page.goto(f"{live_server}/it/domanda/presenta")
    expect(page.locator("main")).to_contain_text("Il bando è chiuso dal 31 luglio 2020")
    assert page.locator("main form").count() == 0
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Scopri e sostieni i progetti in campagna").click()
    expect(page).to_have_url(re.compile(r"/it/progetti$"))
