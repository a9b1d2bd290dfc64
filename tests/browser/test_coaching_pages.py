"""The coaching pages in the browser: the coach signs in, lands on their projects, comments on a
campaign's draft by keyboard alone; the team answers with JavaScript off. Every state accessible
(axe-core at 1280 and 390 px) and valid HTML."""

from __future__ import annotations

from datetime import date

import pyotp
import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import CampaignComment, Role
from portal.services.accounts import accounts
from portal.services.campaigns import coaching
from portal.services.evaluation import selection
from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import assert_accessible
from tests.html_validation import vnu_errors
from tests.panel import DECIDED_AT, STAFF, evaluated, submitted

pytestmark = pytest.mark.browser
COACH = "carla.coach@partner.example"
TEAM = "org0@org.example"


@pytest.fixture(autouse=True)
def _september(at):
    at("2020-09-15T10:00:00+02:00")


@pytest.fixture
def world(app):
    [application_id] = submitted(app, 1)
    evaluated(app, [application_id])
    secret = make_user(app, COACH, Role.COACH)
    with app.app_context():
        staff = accounts.user_by_email(STAFF)
        selection.select(application_id, staff, DECIDED_AT)
        campaign_id = selection.launch(application_id, date(2020, 10, 30), staff, DECIDED_AT).id
        coaching.assign_coach(campaign_id, accounts.user_by_email(COACH).id, staff, DECIDED_AT)
    return {"application": application_id, "campaign": campaign_id, "secret": secret}


def _sign_in(page, live_server, email, secret=None):
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    if secret:
        page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Verifica e accedi").click()


def _valid(pages, tmp_path, prefix):
    files = []
    for number, html in enumerate(pages):
        target = tmp_path / f"{prefix}-{number}.html"
        target.write_text(html)
        files.append(str(target))
    assert vnu_errors(files) == []


def _comments(app):
    with app.app_context():
        return [
            (c.section.value, c.body)
            for c in db.session.scalars(db.select(CampaignComment).order_by(CampaignComment.id))
        ]


def test_the_coach_comments_by_keyboard_alone_on_accessible_pages(app, world, page, live_server, axe_source, tmp_path):
    _sign_in(page, live_server, COACH, world["secret"])
    expect(page.get_by_role("heading", name="I progetti che accompagni")).to_be_visible()
    assert_accessible(page, axe_source)
    pages = [page.content()]

    page.get_by_role("link", name="Progetto 0").click()
    expect(page.get_by_role("heading", name="Progetto 0", level=1)).to_be_visible()
    expect(page.get_by_text("Punteggio di preparazione:")).to_be_visible()
    assert_accessible(page, axe_source)
    pages.append(page.content())

    # An empty comment: refused, said in the summary and on the field.
    page.get_by_role("button", name="Invia il commento").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Scrivi il commento")
    assert page.title().startswith("Errore:")
    assert_accessible(page, axe_source)
    pages.append(page.content())

    # By keyboard alone: the section, the text, the button.
    page.get_by_label("Sezione", exact=True).focus()
    for _ in range(4):  # from "In generale", the last, up to "Ricompense"
        page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Sezione", exact=True)).to_have_value("rewards")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Commento", exact=True)).to_be_focused()
    page.keyboard.type("Aggiungete una ricompensa da 10 euro.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Invia il commento")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Commento inviato.")
    expect(page.locator("#sezione-rewards")).to_contain_text("Aggiungete una ricompensa da 10 euro.")
    assert _comments(app) == [("rewards", "Aggiungete una ricompensa da 10 euro.")]
    assert_accessible(page, axe_source)
    pages.append(page.content())
    _valid(pages, tmp_path, "coach")


def test_the_team_answers_with_javascript_off(app, world, page_without_js, live_server, axe_source, tmp_path):
    page = page_without_js
    _sign_in(page, live_server, TEAM)
    page.goto(f"{live_server}/it/domanda/{world['application']}/campagna/commenti")
    expect(page.get_by_role("heading", name="Commenti sulla campagna", level=1)).to_be_visible()
    expect(page.get_by_text("Ancora nessun commento.")).to_be_visible()
    pages = [page.content()]

    page.get_by_label("Sezione", exact=True).select_option(label="Storia")
    page.get_by_label("Commento", exact=True).fill("Abbiamo allungato la storia:\nora racconta chi siamo.")
    page.get_by_role("button", name="Invia il commento").click()
    expect(page.get_by_role("status")).to_contain_text("Commento inviato.")
    expect(page.get_by_role("heading", name="Storia", level=3)).to_be_visible()
    page.get_by_role("link", name="Rispondi su «Storia»").click()
    expect(page.get_by_label("Sezione", exact=True)).to_have_value("story")
    assert _comments(app) == [("story", "Abbiamo allungato la storia:\nora racconta chi siamo.")]
    pages.append(page.content())
    _valid(pages, tmp_path, "team")


def test_the_team_comments_page_is_accessible(app, world, page, live_server, axe_source):
    _sign_in(page, live_server, TEAM)
    page.goto(f"{live_server}/it/domanda/{world['application']}/campagna/commenti")
    page.get_by_label("Commento", exact=True).fill("x" * 4001)
    page.get_by_role("button", name="Invia il commento").click()
    expect(page.get_by_role("alert")).to_contain_text("Il commento è lungo 4001 caratteri: al massimo 4000.")
    assert_accessible(page, axe_source)
