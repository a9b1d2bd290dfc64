"""The call's back-office in the browser: assign, a conflict and its replacement, scores, selection
within the budget (and a refused overspend), a published campaign; every page accessible."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import Edition, OutboxMessage, Role
from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import assert_accessible
from tests.panel import EVALUATORS, STAFF, evaluated, submitted

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _september(at):
    at("2020-09-15T10:00:00+02:00")


def sign_in(page, live_server, email, secret):
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.get_by_label("Codice di verifica").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Verifica e accedi").click()


def option(email: str) -> str:
    return f"{email.split('@')[0].title()} ({email})"


def test_staff_and_evaluators_run_the_call(app, browser, page, live_server, axe_source):
    staff_secret = make_user(app, STAFF, Role.STAFF)
    secrets = {email: make_user(app, email, Role.EVALUATOR) for email in EVALUATORS}
    ids = submitted(app, 4)
    with app.app_context():
        db.session.scalars(db.select(Edition).filter_by(year=2020)).one().budget_cents = 40_000_00
        db.session.commit()

    sign_in(page, live_server, STAFF, staff_secret)
    page.goto(f"{live_server}/it/gestione/domande")
    assert_accessible(page, axe_source)
    page.get_by_role("link", name="CC2020-0001").click()
    for email in EVALUATORS[:2]:
        page.get_by_label("Valutatore").select_option(label=option(email))
        page.get_by_role("button", name="Assegna").click()
        expect(page.get_by_role("status")).to_have_text("Valutatore assegnato.")
    assert_accessible(page, axe_source)

    # Eva has a conflict of interest: she declares it and is excluded.
    eva = browser.new_context(locale="it-IT").new_page()
    sign_in(eva, live_server, EVALUATORS[0], secrets[EVALUATORS[0]])
    eva.get_by_role("link", name=re.compile("CC2020-0001")).click()
    assert_accessible(eva, axe_source)
    eva.locator("label[for=conflitto-1]").click()
    eva.get_by_role("button", name="Conferma la dichiarazione").click()
    expect(eva.get_by_role("status")).to_contain_text("Conflitto dichiarato")

    # Staff see it and assign Ada instead.
    page.reload()
    expect(page.get_by_text("escluso per conflitto di interessi")).to_be_visible()
    page.get_by_label("Valutatore").select_option(label=option(EVALUATORS[2]))
    page.get_by_role("button", name="Assegna").click()

    for email in EVALUATORS[1:]:
        evaluator = browser.new_context(locale="it-IT").new_page()
        sign_in(evaluator, live_server, email, secrets[email])
        evaluator.get_by_role("link", name=re.compile("CC2020-0001")).click()
        evaluator.locator("label[for=conflitto-0]").click()
        evaluator.get_by_role("button", name="Conferma la dichiarazione").click()
        for field, score in (("Impatto", "8"), ("Coinvolgimento", "7"), ("Fattibilità", "9"), ("Qualità", "6")):
            evaluator.get_by_label(re.compile(f"^{field}")).fill(score)
        if email == EVALUATORS[1]:
            assert_accessible(evaluator, axe_source)
        evaluator.get_by_role("button", name="Salva la valutazione").click()
        expect(evaluator.get_by_role("status")).to_contain_text("punteggio ponderato 76,00")
    evaluated(app, ids[1:])  # the other applications are scored behind the scenes

    page.goto(f"{live_server}/it/gestione/graduatoria")
    for number in range(3):
        page.get_by_role("link", name=f"Seleziona Progetto {number}").click()
        expect(page.locator("#amount-reserved")).to_have_text("12.000 €")
        if number == 0:
            assert_accessible(page, axe_source)
        page.get_by_role("button", name=re.compile("^Conferma: seleziona e riserva 12.000")).click()
        expect(page.get_by_role("status")).to_contain_text("Progetto selezionato")
    expect(page.locator(".budget-box")).to_contain_text("4.000")
    page.get_by_role("link", name="Seleziona Progetto 3").click()
    expect(page.get_by_role("alert")).to_contain_text("Il budget non basta: il progetto richiede 12.000")
    assert_accessible(page, axe_source)
    page.goto(f"{live_server}/it/gestione/graduatoria")

    page.get_by_role("link", name="Progetto 0").click()
    page.get_by_label("Primo giorno della campagna").fill("30/10/2020")
    page.get_by_role("button", name="Prepara la campagna").click()
    assert_accessible(page, axe_source)
    page.get_by_role("button", name="Pubblica la campagna").click()
    expect(page.get_by_role("cell", name="Pubblicata")).to_be_visible()
    assert_accessible(page, axe_source)

    for path in ("/it/gestione/edizioni", "/it/gestione/edizioni/2020", "/it/gestione/registro"):
        page.goto(live_server + path)
        assert_accessible(page, axe_source)

    with app.app_context():
        subjects = db.session.scalars(db.select(OutboxMessage.subject).filter_by(to="org0@org.example")).all()
    assert "Il tuo progetto è stato selezionato – protocollo CC2020-0001" in subjects
