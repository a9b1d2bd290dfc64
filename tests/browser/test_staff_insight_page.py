"""Staff's dashboard per edition in the browser (issue 19, item 5): reached from the edition's page,
accessible (axe-core at 1280 and 390 px), valid HTML (Nu), its CSV link reached with the keyboard,
and the same figures and CSV without JavaScript."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Campaign, Role
from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import assert_accessible
from tests.campaigns import close, confirm, make_campaign, pledge
from tests.html_validation import vnu_errors
from tests.panel import STAFF

pytestmark = pytest.mark.browser
AFTER = "2021-01-15T10:00:00+01:00"  # the 2020 campaigns are over
DASHBOARD = "/it/gestione/edizioni/2020/andamento"


@pytest.fixture
def staff_secret(app):
    return make_user(app, STAFF, Role.STAFF)


@pytest.fixture
def edition(app, at):
    """Lab Barona (Municipio 6) reached its target; a campaign in Duomo (Municipio 1) did not."""
    barona = make_campaign(app)
    with app.app_context():
        target = db.session.get(Campaign, barona).target_cents
    confirm(app, pledge(app, barona, target), target)
    duomo = make_campaign(app, "Piazza viva", slug="piazza-viva", municipio=1, nil_id=1)
    confirm(app, pledge(app, duomo, 30_000), 30_000)
    close(app)
    at(AFTER)


def sign_in(page, live_server, secret):
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail", exact=True).fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verifica e accedi").click()


def test_the_dashboard_is_accessible_valid_and_its_csv_reached_with_the_keyboard(
    edition, staff_secret, page, live_server, axe_source, tmp_path
):
    sign_in(page, live_server, staff_secret)
    page.goto(f"{live_server}/it/gestione/edizioni/2020")
    page.get_by_role("link", name="Andamento dell'edizione").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Andamento dell'edizione 2020")
    expect(page.get_by_role("img", name="Campagne pubbliche per Municipio, edizione 2020")).to_be_visible()
    expect(page.get_by_role("table", name="Domande, campagne e soldi per Municipio, edizione 2020")).to_contain_text(
        "Municipio 6"
    )
    expect(page.locator("#insight-success")).to_contain_text("Tasso di successo: 50,00%")
    assert_accessible(page, axe_source)

    # Keyboard only: from the top of the page, Tab reaches the CSV link.
    csv_link = page.get_by_role("link", name="Scarica tutte le cifre in CSV")
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if csv_link.evaluate("link => link === document.activeElement"):
            break
    expect(csv_link).to_be_focused()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "andamento-edizione-2020.csv"

    # At a phone's width the tables scroll inside their own labelled, focusable region.
    page.set_viewport_size({"width": 390, "height": 844})
    region = page.get_by_role("region", name=re.compile("^Domande, campagne e soldi per Municipio"))
    expect(region).to_have_attribute("tabindex", "0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    target = tmp_path / "insight.html"
    target.write_text(page.content())
    assert vnu_errors([str(target)]) == []


def test_the_dashboard_and_its_csv_work_without_javascript(edition, staff_secret, page_without_js, live_server):
    page = page_without_js
    sign_in(page, live_server, staff_secret)
    page.goto(f"{live_server}{DASHBOARD}")
    table = page.get_by_role("table", name="Campagne pubbliche per stato, edizione 2020")
    expect(table.get_by_role("row", name=re.compile("Conclusa con successo"))).to_contain_text("1")
    href = page.get_by_role("link", name="Scarica tutte le cifre in CSV").get_attribute("href")
    response = page.request.get(f"{live_server}{href}")
    assert response.status == 200 and response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "municipio_campagne;6;Municipio 6;1;numero" in response.text()
