"""Office hours in the browser: the coach publishes a slot by keyboard only, the team books it with
JavaScript off; both pages accessible (axe-core at 1280 and 390 px, with an error shown too) and valid HTML."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Campaign, Role, User
from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import assert_accessible
from tests.html_validation import vnu_errors
from tests.projects import applied_campaign

pytestmark = pytest.mark.browser
OWNER = "anna@cordata.example"
COACH = "carla@coach.example"


@pytest.fixture(autouse=True)
def _september(at):
    at("2020-09-01T10:00:00+02:00")


@pytest.fixture
def world(app):
    secret = make_user(app, COACH, Role.COACH)
    application_id, campaign_id = applied_campaign(app, OWNER, published=False)
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        campaign.coach_id = db.session.scalars(db.select(User.id).filter_by(email=COACH)).one()
        db.session.commit()
    return {"application": application_id, "secret": secret}


def sign_in(page, live_server, email, secret=None):
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail", exact=True).fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    if secret:
        page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Verifica e accedi").click()


def test_coach_publishes_by_keyboard_and_team_books_without_javascript(
    world, page, page_without_js, live_server, axe_source, tmp_path
):
    sign_in(page, live_server, COACH, world["secret"])
    page.goto(f"{live_server}/it/accompagnamento/ricevimento")
    expect(page.get_by_role("heading", name="I tuoi ricevimenti")).to_be_visible()
    assert_accessible(page, axe_source)
    pages = [page.content()]

    # By keyboard: the day and the times typed, the form sent with Enter.
    page.get_by_label("Giorno").focus()
    page.keyboard.type("10/09/2020")
    page.get_by_label("Dalle (ora di Roma)", exact=True).focus()
    page.keyboard.type("16:00")
    page.get_by_label("Alle (ora di Roma)", exact=True).focus()
    page.keyboard.type("15:30")  # before the start: refused
    page.get_by_label("Link per partecipare").focus()
    page.keyboard.type("https://meet.example/carla")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("L'ora di fine deve venire dopo l'ora di inizio")
    assert page.title().startswith("Errore:")
    assert_accessible(page, axe_source)
    pages.append(page.content())

    page.get_by_label("Alle (ora di Roma)", exact=True).fill("")
    page.get_by_label("Alle (ora di Roma)", exact=True).focus()
    page.keyboard.type("16:30")
    page.get_by_role("button", name="Pubblica il ricevimento").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Ricevimento pubblicato")
    expect(page.get_by_role("heading", name="giovedì 10 settembre 2020, 16:00–16:30")).to_be_visible()
    assert_accessible(page, axe_source)
    pages.append(page.content())

    team = page_without_js
    sign_in(team, live_server, OWNER)
    team.goto(f"{live_server}/it/domanda/{world['application']}/campagna/ricevimento")
    expect(team.get_by_role("heading", name="Ricevimento con Carla")).to_be_visible()
    pages.append(team.content())
    team.get_by_role("button", name="Prenota").click()
    expect(team.get_by_role("status")).to_contain_text("Ricevimento prenotato")
    expect(team.get_by_role("link", name="Aggiungi al calendario (.ics)")).to_be_visible()
    pages.append(team.content())

    page.goto(f"{live_server}/it/accompagnamento/ricevimento")
    expect(page.get_by_text("Prenotato da:")).to_be_visible()
    pages.append(page.content())

    files = []
    for number, html in enumerate(pages):
        target = tmp_path / f"office-hours-{number}.html"
        target.write_text(html)
        files.append(str(target))
    assert vnu_errors(files) == []


def test_the_team_page_is_accessible(world, page, live_server, axe_source):
    sign_in(page, live_server, OWNER)
    page.goto(f"{live_server}/it/domanda/{world['application']}/campagna/ricevimento")
    expect(page.get_by_text("Al momento non ci sono orari liberi")).to_be_visible()
    assert_accessible(page, axe_source)
