"""The grant's instalments in the browser (issue 19, item 3): staff's instalments page, the edition
form's plan and the tracker with what is paid, accessible (axe-core at 1280 and 390 px, with an error
shown), valid HTML (Nu), a payment recorded with the keyboard alone and without JavaScript."""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Campaign, GrantInstalment, Role
from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import assert_accessible
from tests.campaigns import close, confirm, make_campaign, pledge
from tests.html_validation import vnu_errors
from tests.panel import STAFF

pytestmark = pytest.mark.browser
AFTER = "2021-01-15T10:00:00+01:00"  # Lab Barona's window is over: it succeeded


@pytest.fixture
def staff_secret(app):
    return make_user(app, STAFF, Role.STAFF)


@pytest.fixture
def campaign_id(app, at):
    """Lab Barona reached its target in November and was closed: two instalments of 6.000 €."""
    campaign_id = make_campaign(app)
    with app.app_context():
        target = db.session.get(Campaign, campaign_id).target_cents
    confirm(app, pledge(app, campaign_id, target), target)
    close(app)
    at(AFTER)
    return campaign_id


def sign_in(page, live_server, secret):
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail", exact=True).fill(STAFF)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verifica e accedi").click()


def paid_references(app, campaign_id: int) -> list[str | None]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(GrantInstalment.payment_reference)
                .filter_by(campaign_id=campaign_id)
                .order_by(GrantInstalment.position)
            )
        )


def test_the_pages_are_accessible_valid_and_a_payment_is_recorded_with_the_keyboard(
    app, campaign_id, staff_secret, page, live_server, axe_source, tmp_path
):
    sign_in(page, live_server, staff_secret)
    page.goto(f"{live_server}/it/gestione/campagne/{campaign_id}")
    page.get_by_role("link", name="Rate del contributo del Comune: pagamenti").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rate del contributo del Comune")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Da pagare")
    expect(table).to_contain_text("Non ancora dovuta: si paga quando lo staff approva il rendiconto finale")
    expect(page.get_by_role("button", name=re.compile("^Segna la rata"))).to_have_count(1)  # only the advance
    assert_accessible(page, axe_source)
    pages = [page.content()]

    # No reference: the error is announced, linked from the summary, and the page stays accessible.
    page.get_by_role("button", name="Segna la rata 1 come pagata").click()
    expect(page.get_by_role("alert")).to_contain_text("Scrivi il riferimento del pagamento")
    assert page.title().startswith("Errore:")
    assert_accessible(page, axe_source)
    pages.append(page.content())

    # Keyboard only: the reference, Tab to the button, Enter.
    page.get_by_label("Riferimento del pagamento (numero del mandato)").focus()
    page.keyboard.type("MAND-2021-0042")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Segna la rata 1 come pagata")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Rata 1 segnata come pagata.")
    expect(page.get_by_role("table")).to_contain_text("riferimento MAND-2021-0042")
    expect(page.locator("#instalments-paid")).to_have_text(re.compile(r"6\.000"))
    assert paid_references(app, campaign_id) == ["MAND-2021-0042", None]
    assert_accessible(page, axe_source)
    pages.append(page.content())

    # The edition form's plan, with a plan not adding up to 100.
    page.goto(f"{live_server}/it/gestione/edizioni/2020")
    page.get_by_label("Percentuale del contributo").first.fill("60")
    page.get_by_label("Quando si paga").first.select_option("start")
    page.get_by_role("button", name="Salva l'edizione").click()
    expect(page.get_by_role("alert").first).to_contain_text("Le percentuali delle rate devono sommare 100")
    assert_accessible(page, axe_source)
    pages.append(page.content())

    page.goto(f"{live_server}/it/bando/2020/cofinanziamento")
    expect(page.locator("#figure-paid")).to_have_text(re.compile(r"6\.000"))
    assert_accessible(page, axe_source)
    pages.append(page.content())

    files = []
    for number, html in enumerate(pages):
        target = tmp_path / f"instalments-{number}.html"
        target.write_text(html)
        files.append(str(target))
    assert vnu_errors(files) == []


def test_a_payment_is_recorded_without_javascript(app, campaign_id, staff_secret, page_without_js, live_server):
    page = page_without_js
    sign_in(page, live_server, staff_secret)
    page.goto(f"{live_server}/it/gestione/campagne/{campaign_id}/rate")
    page.get_by_label("Riferimento del pagamento (numero del mandato)").fill("MAND-7")
    page.get_by_role("button", name="Segna la rata 1 come pagata").click()
    expect(page.get_by_role("status")).to_contain_text("Rata 1 segnata come pagata.")
    assert page.url.endswith(f"/it/gestione/campagne/{campaign_id}/rate#rate-caption")
    assert paid_references(app, campaign_id) == ["MAND-7", None]
