"""The authorisation matrix: every back-office URL × anonymous, applicant (of another organisation, or
of the campaign's team), evaluator (assigned or not), coach (assigned or not), staff. Only the allowed
succeed; the others get the login page, 403 or 404, never data."""

from __future__ import annotations

import re

import pytest

from portal.extensions import db
from portal.models import (
    Application,
    Assignment,
    BudgetItem,
    Campaign,
    CampaignComment,
    DocumentKind,
    Edition,
    Event,
    NewsletterIssue,
    Role,
    SpendingReport,
    Venue,
)
from portal.services import uploads
from portal.services.accounts import accounts
from portal.services.campaigns import coaching, preparation
from portal.services.courses import office_hours
from portal.services.editions import documents
from portal.services.evaluation import selection
from portal.services.newsletter import issues
from tests.accounts import csrf_from, make_user, sign_in
from tests.applicants import codice_fiscale, pdf_bytes
from tests.panel import DECIDED_AT, EVALUATORS, STAFF, evaluated, submitted


@pytest.fixture(autouse=True)
def _september(at):
    at("2020-09-15T10:00:00+02:00")


@pytest.fixture
def world(app):
    """Two applications in evaluation (one scored by two evaluators), one selected with a campaign."""
    ids = submitted(app, 3)
    evaluated(app, ids[:2])
    make_user(app, EVALUATORS[2], Role.EVALUATOR)  # an evaluator with nothing assigned
    make_user(app, ASSIGNED_COACH, Role.COACH)
    make_user(app, OTHER_COACH, Role.COACH)  # a coach with no campaign
    with app.app_context():
        staff = accounts.user_by_email(STAFF)
        selection.select(ids[1], staff, DECIDED_AT)
        from datetime import date, timedelta

        campaign_id = selection.launch(ids[1], date(2020, 10, 30), staff, DECIDED_AT).id
        coaching.assign_coach(campaign_id, accounts.user_by_email(ASSIGNED_COACH).id, staff, DECIDED_AT)
        assignment_id = db.session.scalars(db.select(Assignment.id).filter_by(application_id=ids[0])).first()
        event_id = db.session.scalars(db.select(Event.id)).first()
        edition = db.session.scalars(db.select(Edition).filter_by(year=2020)).one()
        kind = documents.DocumentSettings(DocumentKind.CALL, "Bando", "Call", None)
        document_id = documents.add(edition, kind, "bando.pdf", pdf_bytes(), staff, DECIDED_AT).id
        organisation_id = db.session.get(Application, ids[1]).organisation_id
        coach = accounts.user_by_email(ASSIGNED_COACH)
        slot = office_hours.add_office_hour(
            coach,
            DECIDED_AT + timedelta(days=5),
            DECIDED_AT + timedelta(days=5, hours=1),
            1,
            Venue.ZOOM,
            "https://zoom.example/j/1",
            coach,
            DECIDED_AT,
        )
        reward = preparation.add_reward(campaign_id, "Grazie", 1000, "Un grazie.", None, staff, DECIDED_AT)
        issue = issues.write_issue({"it": "Notizie", "en": "News"}, {"it": "Testo", "en": "Text"}, staff, DECIDED_AT)
        office_hour_id, reward_id, issue_id = slot.id, reward.id, issue.id
        stored = uploads.store(pdf_bytes())
        line_id = db.session.scalars(db.select(BudgetItem.id).filter_by(application_id=ids[1])).first()
        report = SpendingReport(
            campaign_id=campaign_id,
            budget_item_id=line_id,
            amount_cents=100,
            description="Tavoli",
            spent_on=date(2020, 9, 1),
            receipt_filename="r.pdf",
            receipt_key=stored.key,
            receipt_size=stored.size,
            receipt_sha256=stored.sha256,
            submitted_at=DECIDED_AT,
        )
        db.session.add(report)
        db.session.commit()
        spending_report_id = report.id
    return {
        "office_hour": office_hour_id,
        "reward": reward_id,
        "issue": issue_id,
        "spending_report": spending_report_id,
        "application": ids[0],
        "campaign_application": ids[1],
        "other": ids[2],
        "campaign": campaign_id,
        "assignment": assignment_id,
        "event": event_id,
        "document": document_id,
        "organisation": organisation_id,
    }


STAFF_URLS = [
    ("GET", "/it/gestione/"),
    ("GET", "/it/gestione/domande"),
    ("GET", "/it/gestione/domande.csv"),
    ("GET", "/it/gestione/domande/{application}"),
    ("POST", "/it/gestione/domande/{other}/ammissibilita"),
    ("POST", "/it/gestione/domande/{application}/valutatori"),
    ("GET", "/it/gestione/graduatoria"),
    ("POST", "/it/gestione/domande/{application}/decisione"),
    ("POST", "/it/gestione/domande/{application}/campagna"),
    ("GET", "/it/gestione/campagne"),
    ("GET", "/it/gestione/campagne/{campaign}"),
    ("POST", "/it/gestione/campagne/{campaign}"),
    ("POST", "/it/gestione/campagne/{campaign}/pubblica"),
    ("GET", "/it/gestione/campagne/{campaign}/foto"),
    ("POST", "/it/gestione/campagne/{campaign}/foto"),
    ("POST", "/it/gestione/campagne/{campaign}/video"),
    ("POST", "/it/gestione/campagne/{campaign}/foto/1/descrizione"),
    ("POST", "/it/gestione/campagne/{campaign}/foto/1/copertina"),
    ("POST", "/it/gestione/campagne/{campaign}/foto/1/sposta"),
    ("POST", "/it/gestione/campagne/{campaign}/foto/1/elimina"),
    ("GET", "/it/gestione/valutatori"),
    ("POST", "/it/gestione/valutatori"),
    ("GET", "/it/gestione/eventi"),
    ("GET", "/it/gestione/eventi/{event}"),
    ("GET", "/it/gestione/eventi/{event}/iscritti.csv"),
    ("GET", "/it/gestione/registro"),
    ("GET", "/it/gestione/registro.csv"),
    ("GET", "/it/gestione/edizioni"),
    ("POST", "/it/gestione/edizioni"),
    ("GET", "/it/gestione/edizioni/2020"),
    ("GET", "/it/gestione/edizioni/2020/andamento"),
    ("GET", "/it/gestione/edizioni/2020/andamento.csv"),
    ("POST", "/it/gestione/edizioni/2020"),
    ("GET", "/it/gestione/edizioni/2020/documenti"),
    ("POST", "/it/gestione/edizioni/2020/documenti"),
    ("POST", "/it/gestione/edizioni/2020/documenti/{document}/ordine"),
    ("POST", "/it/gestione/edizioni/2020/documenti/{document}/elimina"),
    ("GET", "/it/gestione/domande/{application}/seleziona"),
    ("GET", "/it/gestione/graduatoria/pubblica"),
    ("POST", "/it/gestione/graduatoria/pubblica"),
    ("GET", "/it/gestione/pagamenti"),
    ("POST", "/it/gestione/pagamenti"),
    ("POST", "/it/gestione/pagamenti/conferma"),
    ("GET", "/it/gestione/pagamenti/esempio.csv"),
    ("GET", "/it/gestione/campagne/{campaign}/sostegni"),
    ("GET", "/it/gestione/campagne/{campaign}/sostegni.csv"),
    ("GET", "/it/gestione/rimborsi"),
    ("POST", "/it/gestione/rimborsi/sepa"),
    ("POST", "/it/gestione/rimborsi/sepa/1/eseguiti"),
    ("POST", "/it/gestione/rimborsi/1/riprova"),
    ("POST", "/it/gestione/rimborsi/pagamenti-tardivi/1/rimborsa"),
    ("POST", "/it/gestione/rimborsi/pagamenti-tardivi/1/conferma"),
    ("POST", "/it/gestione/domande/{application}/stato-fiscale"),
    ("GET", "/it/gestione/pagamenti/donatori"),
    ("GET", "/it/gestione/pagamenti/donatori.csv?organizzazione={organisation}&anno=2020"),
    ("POST", "/it/gestione/campagne/{campaign}/evidenza"),
    ("POST", "/it/gestione/campagne/{campaign}/evidenza/togli"),
    ("GET", "/it/gestione/newsletter"),
    ("POST", "/it/gestione/newsletter"),
    ("GET", "/it/gestione/newsletter/{issue}"),
    ("GET", "/it/gestione/campagne/{campaign}/rate"),
    ("GET", "/it/gestione/campagne/{campaign}/spese"),
    ("GET", "/it/gestione/spese/{spending_report}/ricevuta"),
    ("POST", "/it/gestione/spese/{spending_report}/approva"),
    ("POST", "/it/gestione/spese/{spending_report}/rimanda"),
    ("POST", "/it/gestione/newsletter/{issue}/invia"),
    ("GET", "/it/gestione/coach"),
    ("POST", "/it/gestione/coach"),
    ("GET", "/it/gestione/campagne/{campaign}/coach"),
    ("POST", "/it/gestione/campagne/{campaign}/coach"),
]
EVALUATOR_URLS = [
    ("GET", "/it/valutazione/"),
    ("GET", "/it/valutazione/{assignment}"),
    ("POST", "/it/valutazione/{assignment}"),
]
# The coaching area: the campaign's assigned coach, and staff.
COACH_URLS = [
    ("GET", "/it/accompagnamento/"),
    ("GET", "/it/accompagnamento/campagne/{campaign}"),
    ("POST", "/it/accompagnamento/campagne/{campaign}"),
    ("GET", "/it/accompagnamento/ricevimento"),
    ("POST", "/it/accompagnamento/ricevimento"),
    ("POST", "/it/accompagnamento/ricevimento/{office_hour}/rimuovi"),
]
# The campaign's team (the applicants of its organisation) only.
TEAM_URLS = [
    ("GET", "/it/domanda/{campaign_application}/campagna/commenti"),
    ("POST", "/it/domanda/{campaign_application}/campagna/commenti"),
    ("GET", "/it/domanda/{campaign_application}/preparazione"),
    ("POST", "/it/domanda/{campaign_application}/preparazione"),
    ("POST", "/it/domanda/{campaign_application}/preparazione/team"),
    ("POST", "/it/domanda/{campaign_application}/preparazione/primi-sostenitori"),
    ("POST", "/it/domanda/{campaign_application}/preparazione/piano-aggiornamenti"),
    ("POST", "/it/domanda/{campaign_application}/preparazione/ricompense"),
    ("POST", "/it/domanda/{campaign_application}/preparazione/ricompense/{reward}"),
    ("POST", "/it/domanda/{campaign_application}/preparazione/ricompense/{reward}/elimina"),
    ("GET", "/it/domanda/{campaign_application}/campagna/anteprima"),
    ("POST", "/it/domanda/{campaign_application}/campagna/anteprima"),
    ("GET", "/it/domanda/{campaign_application}/campagna/ricevimento"),
    ("POST", "/it/domanda/{campaign_application}/campagna/ricevimento"),
    ("GET", "/it/domanda/{campaign_application}/spese"),
    ("POST", "/it/domanda/{campaign_application}/spese"),
    ("GET", "/it/domanda/{campaign_application}/dopo-la-raccolta"),
    ("POST", "/it/domanda/{campaign_application}/dopo-la-raccolta"),
]
# Each coach's own page, whatever campaigns they have.
OWN_COACH_PAGES = {"/it/accompagnamento/", "/it/accompagnamento/ricevimento"}
ASSIGNED_COACH = "carla.coach@partner.example"
OTHER_COACH = "otto.coach@partner.example"
TEAM = "org1@org.example"  # the organisation whose application became the campaign
# Another organisation's data: no one but staff (and its own assigned evaluators) may see it.
SECRETS = (b"Progetto 2", b"org2@org.example", codice_fiscale(2).encode())


def assigned_evaluator(app, world) -> str:
    with app.app_context():
        return db.session.get(Assignment, world["assignment"]).evaluator.email


def allowed(who: str, method: str, template: str) -> bool:
    if who == "staff":
        return (method, template) in STAFF_URLS + COACH_URLS
    if who == "assigned coach":
        return (method, template) in COACH_URLS
    if who == "other coach":
        return template in OWN_COACH_PAGES  # their own (empty) list and office hours
    if who == "team":
        return (method, template) in TEAM_URLS
    if who == "assigned evaluator":
        return (method, template) in EVALUATOR_URLS
    if who == "other evaluator":
        return template == "/it/valutazione/"  # their own (empty) list
    return False


@pytest.mark.parametrize(
    "who",
    [
        "anonymous",
        "applicant",
        "team",
        "assigned evaluator",
        "other evaluator",
        "assigned coach",
        "other coach",
        "staff",
    ],
)
def test_every_back_office_url_answers_only_those_allowed(app, world, who):
    client = app.test_client()
    email = {
        "applicant": "org0@org.example",
        "team": TEAM,
        "other evaluator": EVALUATORS[2],
        "assigned coach": ASSIGNED_COACH,
        "other coach": OTHER_COACH,
        "staff": STAFF,
    }.get(who)
    if who == "assigned evaluator":
        email = assigned_evaluator(app, world)
    if email:
        sign_in(client, app, email)
    token = csrf_from(client.get("/it/accesso" if who == "anonymous" else "/it/contatti").get_data(as_text=True))
    with app.app_context():
        campaigns_before = db.session.scalar(db.select(db.func.count()).select_from(Campaign))

    for method, template in STAFF_URLS + EVALUATOR_URLS + COACH_URLS + TEAM_URLS:
        url = template.format(**world)
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        if allowed(who, method, template):
            assert response.status_code in (200, 302, 303, 400, 409), (who, method, url, response.status_code)
            continue
        if who == "anonymous":
            assert response.status_code == 302 and re.match(r"/it/accesso\?next=", response.headers["Location"]), url
        elif who == "other coach" and (method, template) in COACH_URLS and template not in OWN_COACH_PAGES:
            assert response.status_code == 404, (who, method, url, response.status_code)  # not even 403
        else:
            assert response.status_code in (403, 404), (who, method, url, response.status_code)
        assert not any(secret in response.data for secret in SECRETS), (who, url)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Campaign)) == campaigns_before
        assert db.session.scalar(db.select(db.func.count()).select_from(CampaignComment)) == 0
        assert db.session.scalar(db.select(NewsletterIssue.sent_at)) is None or who == "staff"
