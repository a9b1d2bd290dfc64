"""Following a campaign in Chromium, as a visitor does it: the form on the campaign's page, its
error, "check your e-mail", the confirm button, the confirmed page, the unsubscribe button and its
answer, and a link that no longer works; 0 axe violations at 1280 and 390 px on each, in Italian and
English; and the same journey with JavaScript turned off (axe needs it, so it is checked with it on)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import CampaignFollower
from tests.browser.conftest import assert_accessible as check_accessible
from tests.campaigns import NOVEMBER, make_campaign

pytestmark = pytest.mark.browser
FOLLOWER = "lettrice@example.org"


def _follower(app) -> CampaignFollower | None:
    with app.app_context():
        row = db.session.scalars(sa.select(CampaignFollower).filter_by(email=FOLLOWER)).one_or_none()
        db.session.expunge_all()
        return row


@pytest.mark.parametrize(("lang", "javascript"), [("it", True), ("en", True), ("it", False)])
def test_following_a_campaign(app, browser, live_server, axe_source, at, lang, javascript):
    at(NOVEMBER)
    make_campaign(app)
    context = browser.new_context(java_script_enabled=javascript, locale="it-IT")
    page = context.new_page()

    def assert_accessible(page, axe_source):
        if javascript:
            check_accessible(page, axe_source)

    page.goto(f"{live_server}/{lang}/progetti/lab-barona")
    form = page.locator("form[action$='/segui']")
    expect(form).to_be_visible()
    assert_accessible(page, axe_source)

    # Without consent: the follow page with the error, the address kept.
    form.get_by_label("Indirizzo e-mail" if lang == "it" else "Email address").fill(FOLLOWER)
    form.get_by_role("button").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#follow-email")).to_have_value(FOLLOWER)
    assert _follower(app) is None
    assert_accessible(page, axe_source)

    page.locator("label[for=follow-consent]").click()
    page.locator("form[action$='/segui']").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/segui/controlla-la-posta$"))
    assert_accessible(page, axe_source)

    # The link of the e-mail: a button, and nothing confirmed by opening it.
    token = _follower(app).token
    page.goto(f"{live_server}/{lang}/seguire/{token}")
    assert_accessible(page, axe_source)
    assert _follower(app).confirmed_at is None
    page.locator("main form").get_by_role("button").click()
    expect(page.locator(f"a[href$='/seguire/{token}/annulla']")).to_be_visible()
    assert _follower(app).confirmed_at is not None
    assert_accessible(page, axe_source)

    # Unsubscribing: the page's button, then the answer.
    page.locator(f"a[href$='/seguire/{token}/annulla']").click()
    assert_accessible(page, axe_source)
    page.locator("main form").get_by_role("button").click()
    assert _follower(app) is None
    assert_accessible(page, axe_source)

    # A link that no longer works.
    response = page.goto(f"{live_server}/{lang}/seguire/{token}")
    assert response.status == 404
    assert_accessible(page, axe_source)
    context.close()
