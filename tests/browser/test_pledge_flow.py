"""Pledging in a real browser: with JavaScript and without, by keyboard alone; the campaign page,
the pledge form and the supporter's page pass axe at desktop and phone widths."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import CampaignReward, Pledge
from tests.browser.conftest import assert_accessible
from tests.campaigns import NOVEMBER, NOVEMBER_AT, confirm, make_campaign, pledge

pytestmark = pytest.mark.browser

PAGE = "/it/progetti/lab-barona"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def campaign_id(app):
    return make_campaign(app, rewards=(("Cartolina", 10_00, 5), ("Tazza", 25_00, 1)))


def only_pledge(app) -> Pledge:
    with app.app_context():
        found = db.session.scalars(db.select(Pledge)).one()
        db.session.expunge(found)
        return found


def fill_and_send(page, amount: str) -> None:
    page.get_by_label("Importo del sostegno, in euro").fill(amount)
    page.get_by_label("Nome e cognome").fill("Anna Rossi")
    page.get_by_label("Indirizzo e-mail").fill("anna@example.org")
    page.locator("label[for=metodo-1]").click()  # Bonifico bancario (the card is chosen by default)
    page.locator("label[for=privacy]").click()
    page.get_by_role("button", name="Conferma il sostegno").click()


def expect_instructions(page, app, amount_text: str) -> None:
    expect(page.get_by_role("heading", name="Come pagare con un bonifico")).to_be_visible()
    created = only_pledge(app)
    expect(page.locator(".payment-reference")).to_have_text(created.reference)
    expect(page.locator(".payment-details")).to_contain_text(amount_text)
    expect(page).to_have_url(re.compile(rf"/it/sostegno/{re.escape(created.token)}$"))


def test_pledge_with_javascript_from_the_campaign_page(app, page, live_server, campaign_id):
    page.goto(live_server + PAGE)
    page.get_by_role("link", name="Sostieni il progetto").first.click()
    expect(page).to_have_title(re.compile("^Sostieni «Lab Barona»"))
    fill_and_send(page, "25,50")
    expect_instructions(page, app, "25,50 €")


def test_pledge_without_javascript_errors_first_then_a_reward(app, page_without_js, live_server, campaign_id):
    page = page_without_js
    page.goto(f"{live_server}{PAGE}/sostieni")
    page.locator("label[for=ricompensa-1]").click()  # Cartolina, at least 10 €
    fill_and_send(page, "5")
    expect(page).to_have_title(re.compile("^Errore:"))
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Per la ricompensa «Cartolina» il sostegno minimo è di 10 €")
    summary.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile("#importo$"))
    expect(page.get_by_label("Nome e cognome")).to_have_value("Anna Rossi")  # kept
    expect(page.locator("#ricompensa-1")).to_be_checked()
    expect(page.locator("#privacy")).to_be_checked()
    page.get_by_label("Importo del sostegno, in euro").fill("")  # the reward's minimum
    page.get_by_role("button", name="Conferma il sostegno").click()
    expect_instructions(page, app, "10,00 €")
    assert only_pledge(app).reward_id is not None


def test_pledge_by_keyboard_only(app, page, live_server, campaign_id):
    page.goto(live_server + PAGE)
    focus_by_tab(page, lambda: page.evaluate("document.activeElement.textContent.trim()") == "Sostieni il progetto")
    page.keyboard.press("Enter")
    expect(page).to_have_title(re.compile("^Sostieni"))
    focus_by_tab(page, lambda: page.evaluate("document.activeElement.id") == "ricompensa-0")
    page.keyboard.press("ArrowDown")  # Cartolina
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "importo"
    page.keyboard.type("15")
    page.keyboard.press("Tab")
    page.keyboard.type("Anna Rossi")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # anonymous after all
    page.keyboard.press("Tab")
    page.keyboard.type("anna@example.org")
    focus_by_tab(page, lambda: page.evaluate("document.activeElement.id") == "metodo-0")  # the card, chosen
    page.keyboard.press("ArrowDown")  # Bonifico bancario
    focus_by_tab(page, lambda: page.evaluate("document.activeElement.id") == "privacy")
    page.keyboard.press("Space")
    focus_by_tab(page, lambda: page.evaluate("document.activeElement.id") == "pledge-submit")
    expect(page.locator(":focus")).to_be_visible()
    page.keyboard.press("Enter")
    expect_instructions(page, app, "15,00 €")
    created = only_pledge(app)
    assert created.name is None and created.amount_cents == 15_00


def focus_by_tab(page, reached, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if reached():
            return
    raise AssertionError("never reached by Tab")


def test_every_state_passes_axe(app, page, live_server, axe_source, campaign_id):
    """Live, co-funded with the grant, not funded; the form empty and with errors; the supporter's page."""
    paid = pledge(app, campaign_id, 3_000_00, name="Bruno", reward_id=None)
    confirm(app, paid, 3_000_00)
    cofunded = make_campaign(app, "Cofinanziata")
    confirm(app, pledge(app, cofunded, 8_000_00), 8_000_00)
    failing = make_campaign(app, "Non finanziata", starts_at=NOVEMBER_AT - timedelta(days=70))
    early = NOVEMBER_AT - timedelta(days=65)
    confirm(app, pledge(app, failing, 100_00, at=early), 100_00, at=early)
    with app.app_context():
        card = db.session.scalars(db.select(CampaignReward.id).filter_by(title="Tazza")).one()
    pledge(app, campaign_id, 30_00, reward_id=card)  # the mug is gone

    for path in (PAGE, "/it/progetti/cofinanziata", "/it/progetti/non-finanziata", "/en/progetti/lab-barona"):
        page.goto(live_server + path)
        assert_accessible(page, axe_source)
    page.goto(f"{live_server}/it/progetti/non-finanziata/sostieni")
    assert_accessible(page, axe_source)

    page.goto(f"{live_server}{PAGE}/sostieni")
    assert_accessible(page, axe_source)
    page.get_by_label("Indirizzo e-mail").fill("non-una-mail")
    page.get_by_role("button", name="Conferma il sostegno").click()
    expect(page).to_have_title(re.compile("^Errore:"))
    assert_accessible(page, axe_source)

    fill_and_send(page, "20")
    expect(page.get_by_role("heading", name="Come pagare con un bonifico")).to_be_visible()
    assert_accessible(page, axe_source)
