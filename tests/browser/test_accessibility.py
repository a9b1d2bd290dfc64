"""Every page, in every state, at desktop and phone widths: zero axe-core violations."""

import pyotp
import pytest
from playwright.sync_api import expect

from portal.demo.campaigns import seed_demo_campaigns
from portal.models import Role
from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, run_axe
from tests.pages import CASES, DEMO_HOME_CASES, PLEDGE_CLOCK, PLEDGE_STATUS_CASES, STAFF_CASES, pledge_status_paths
from tests.panel import STAFF, evaluated, submitted


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(("case", "clock", "path"), CASES, ids=[c[0] for c in CASES])
def test_no_axe_violations(page, live_server, axe_source, at, viewport, case, clock, path):
    at(clock)
    page.set_viewport_size(viewport)
    page.goto(live_server + path)
    assert run_axe(page, axe_source) == []


@pytest.mark.browser
@pytest.mark.parametrize(("case", "clock", "path"), DEMO_HOME_CASES, ids=[c[0] for c in DEMO_HOME_CASES])
def test_the_home_page_with_the_demo_campaigns(app, page, live_server, axe_source, at, case, clock, path):
    with app.app_context():
        seed_demo_campaigns()
    at(clock)
    page.goto(live_server + path)
    assert_accessible(page, axe_source)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_axe_violations_on_the_staff_pages(app, page, live_server, axe_source, at, viewport):
    """Every page of `STAFF_CASES`, signed in as staff, one application admitted and scored."""
    at(STAFF_CASES[0][1])
    secret = make_user(app, STAFF, Role.STAFF)
    (application_id,) = submitted(app, 1)
    evaluated(app, [application_id])
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail").fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verifica e accedi").click()
    expect(page.get_by_role("heading", name="Area riservata")).to_be_visible()
    page.set_viewport_size(viewport)
    violations = {}
    for case, clock, path in STAFF_CASES:
        at(clock)
        response = page.goto(live_server + path.format(application=application_id))
        assert response.status == 200, case
        if found := run_axe(page, axe_source):
            violations[case] = found
    assert violations == {}


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_axe_violations_on_the_supporters_pledge_pages(app, page, live_server, axe_source, at, viewport):
    """The supporter's page in every state of `PLEDGE_STATUS_CASES` (awaiting the card's confirmation,
    not paid, not started, bank transfer, confirmed, expired, cancelled, refund and its IBAN link)."""
    at(PLEDGE_CLOCK)
    paths = pledge_status_paths(app)
    page.set_viewport_size(viewport)
    violations = {}
    for case, clock, state, lang in PLEDGE_STATUS_CASES:
        at(clock)
        response = page.goto(f"{live_server}/{lang}/{paths[state]}")
        assert response.status == 200, case
        if found := run_axe(page, axe_source):
            violations[case] = found
    assert violations == {}
