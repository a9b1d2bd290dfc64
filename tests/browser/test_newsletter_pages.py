"""The newsletter in Chromium, as a visitor does it: the footer's box on the home page (by keyboard
alone), a bad address landing on the newsletter page with its error, "check your e-mail", the
confirm button, the confirmed page, the unsubscribe button and its answer; staff's page and the
issue's preview. 0 axe violations at 1280 and 390 px on each, in Italian and English; and the same
journey with JavaScript turned off (axe needs it, so it is checked with it on)."""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import NewsletterSubscriber, Role
from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import assert_accessible as check_accessible
from tests.campaigns import NOVEMBER

pytestmark = pytest.mark.browser
READER = "lettrice@example.org"
STAFF = "giulia@comune.milano.example"


def _subscriber(app) -> NewsletterSubscriber | None:
    with app.app_context():
        row = db.session.scalars(sa.select(NewsletterSubscriber).filter_by(email=READER)).one_or_none()
        db.session.expunge_all()
        return row


@pytest.mark.parametrize(("lang", "javascript"), [("it", True), ("en", True), ("it", False)])
def test_subscribing_from_the_footer_by_keyboard(app, browser, live_server, axe_source, at, lang, javascript):
    at(NOVEMBER)
    context = browser.new_context(java_script_enabled=javascript, locale="it-IT")
    page = context.new_page()

    def assert_accessible():
        if javascript:
            check_accessible(page, axe_source)

    page.goto(f"{live_server}/{lang}/")
    box = page.locator("#footer form[action$='/newsletter']")
    expect(box).to_be_visible()
    assert_accessible()

    # A bad address, by keyboard: the newsletter page, with the error and the address kept.
    page.locator("#footer-newsletter-email").focus()
    page.keyboard.type("not-an-address")
    page.keyboard.press("Tab")
    expect(box.get_by_role("button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#newsletter-email")).to_have_value("not-an-address")
    expect(page.locator("#footer-newsletter-email")).to_have_count(0)  # the page is the box here
    assert _subscriber(app) is None
    assert_accessible()

    page.locator("#newsletter-email").fill(READER)
    page.locator("#newsletter-email").press("Enter")
    expect(page).to_have_url(re.compile(r"/newsletter/controlla-la-posta$"))
    assert_accessible()

    # The link of the e-mail: a button, and nothing confirmed by opening it.
    token = _subscriber(app).token
    page.goto(f"{live_server}/{lang}/newsletter/conferma/{token}")
    assert_accessible()
    assert _subscriber(app).confirmed_at is None
    page.locator("main form button").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"a[href$='/newsletter/disiscrizione/{token}']")).to_be_visible()
    assert _subscriber(app).confirmed_at is not None
    assert_accessible()

    page.locator(f"a[href$='/newsletter/disiscrizione/{token}']").click()
    assert_accessible()
    page.locator("main form").get_by_role("button").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert _subscriber(app).unsubscribed_at is not None
    assert_accessible()

    response = page.goto(f"{live_server}/{lang}/newsletter/conferma/unknown-link")
    assert response.status == 404
    assert_accessible()
    context.close()


def test_staff_write_preview_and_send_an_issue(app, page, live_server, axe_source, at):
    at(NOVEMBER)
    secret = make_user(app, STAFF, Role.STAFF)
    page.goto(f"{live_server}/it/gestione/newsletter")
    page.get_by_label("Indirizzo e-mail", exact=True).fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verifica e accedi").click()
    expect(page.get_by_role("heading", name="Newsletter del programma")).to_be_visible()
    check_accessible(page, axe_source)

    page.get_by_label("Oggetto in italiano").fill("Il bando è aperto")
    page.get_by_role("button", name="Salva e vedi l'anteprima").click()
    expect(page.locator("#error-summary")).to_be_visible()
    check_accessible(page, axe_source)

    page.get_by_label("Testo in italiano").fill("Da oggi si candida.\n\nCi vediamo alle lezioni.")
    page.get_by_label("Oggetto in inglese").fill("The call is open")
    page.get_by_label("Testo in inglese").fill("From today a project can apply.")
    page.get_by_role("button", name="Salva e vedi l'anteprima").click()
    expect(page.get_by_role("heading", name="Anteprima, come la leggono gli iscritti")).to_be_visible()
    expect(page.get_by_text("From today a project can apply.")).to_be_visible()
    check_accessible(page, axe_source)
