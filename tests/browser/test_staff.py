"""Staff in the browser: sign in with the second factor, manage a lesson; every page accessible."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from portal.models import Role
from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser
STAFF = "giulia@comune.milano.example"


@pytest.fixture(autouse=True)
def _june_10(at):
    at("2020-06-10T10:00:00+02:00")


def sign_in(page, live_server, secret, axe_source=None):
    page.goto(f"{live_server}/it/gestione/eventi")
    expect(page.get_by_role("heading", name="Accedi", exact=True)).to_be_visible()
    page.get_by_label("Indirizzo e-mail").fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page.get_by_role("heading", name="Inserisci il codice di verifica")).to_be_visible()
    if axe_source:
        assert_accessible(page, axe_source)
    page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verifica e accedi").click()
    expect(page.get_by_role("heading", name="Eventi e iscrizioni")).to_be_visible()


def test_staff_sign_in_and_change_a_lesson(app, page, live_server, axe_source):
    secret = make_user(app, STAFF)
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail").fill(STAFF)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Accedi").click()
    expect(page).to_have_title("Errore: Accedi – Crowdfunding Civico – Comune di Milano")
    assert_accessible(page, axe_source)

    sign_in(page, live_server, secret, axe_source)
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="Le opportunità del crowdfunding: come e perché progettare una campagna").click()
    assert_accessible(page, axe_source)

    page.get_by_label("Posti disponibili").fill("tanti")
    page.get_by_role("button", name="Salva le modifiche").click()
    expect(page.get_by_role("alert")).to_contain_text("Scrivi il numero di posti in cifre")
    assert_accessible(page, axe_source)

    page.get_by_label("Posti disponibili").fill("80")
    page.get_by_label("Link ai materiali (slide, dispense)").fill("https://example.org/lezione-1.pdf")
    page.get_by_role("button", name="Salva le modifiche").click()
    expect(page.get_by_role("status")).to_have_text("Modifiche salvate.")
    expect(page.get_by_label("Posti disponibili")).to_have_value("80")

    page.get_by_role("link", name="Area riservata").first.click()
    page.get_by_role("link", name="Registro delle attività").click()
    expect(page.get_by_role("cell", name="Posti disponibili: 100 → 80")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_role("button", name="Esci").click()
    expect(page.get_by_role("status")).to_have_text("Hai lasciato l'area riservata.")


def test_first_sign_in_enrols_the_authenticator(app, page, live_server, axe_source):
    make_user(app, STAFF, enrolled=False)
    page.goto(f"{live_server}/en/accesso")
    page.get_by_label("Email address").fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("img", name="QR code to scan with the authenticator app")).to_be_visible()
    assert_accessible(page, axe_source)
    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Verification code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on and sign in").click()
    expect(page.get_by_role("heading", name="Staff area")).to_be_visible()


def test_the_back_office_works_without_javascript(app, page_without_js, live_server):
    secret = make_user(app, STAFF)
    sign_in(page_without_js, live_server, secret)
    expect(page_without_js.get_by_role("cell", name="100").first).to_be_visible()


def test_an_applicant_cannot_open_the_back_office(app, page, live_server):
    make_user(app, "org@example.org", Role.APPLICANT)
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail").fill("org@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    response = page.goto(f"{live_server}/it/gestione/eventi")
    assert response.status == 403
