"""Selecting reserves public money, so staff confirm it on a page that states the amount and what
the budget keeps; once every application has its decision, staff publish the ranking and the call
page shows the selected projects (and nothing before)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from portal.extensions import db
from portal.models import Application, AuditEntry, Edition
from portal.services.accounts import accounts
from portal.services.evaluation import selection
from tests.accounts import csrf_from, sign_in
from tests.html_validation import vnu_errors
from tests.panel import DECIDED_AT, STAFF, evaluated, submitted

RANKING = "/it/gestione/graduatoria"
PUBLISH = "/it/gestione/graduatoria/pubblica"


@pytest.fixture(autouse=True)
def _september(at):
    at("2020-09-15T10:00:00+02:00")


def text(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html)).replace("\xa0", " ").replace("\u202f", " ")


def staff_client(app):
    client = app.test_client()
    sign_in(client, app, STAFF)
    return client


def set_budget(app, cents: int) -> None:
    with app.app_context():
        db.session.scalars(db.select(Edition).filter_by(year=2020)).one().budget_cents = cents
        db.session.commit()


def reserved(app) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(db.select(Application.reserved_cents).where(Application.reserved_cents.is_not(None)))
        )


def decide(client, application_id: int, **data):
    token = csrf_from(client.get(RANKING).get_data(as_text=True))
    return client.post(f"/it/gestione/domande/{application_id}/decisione", data={"csrf_token": token, **data})


def test_selecting_asks_to_confirm_the_amount_and_what_the_budget_keeps(app):
    ids = submitted(app, 2)
    evaluated(app, ids)
    set_budget(app, 50_000_00)
    staff = staff_client(app)
    ranking = staff.get(RANKING).get_data(as_text=True)
    assert f'href="/it/gestione/domande/{ids[0]}/seleziona"' in ranking

    page = text(staff.get(f"/it/gestione/domande/{ids[0]}/seleziona"))
    assert "Selezionare «Progetto 0»?" in page
    assert "Importo riservato al progetto 12.000 €" in page
    assert "Budget del cofinanziamento 50.000 €" in page and "Disponibile ora 50.000 €" in page
    assert "Disponibile dopo la selezione 38.000 €" in page
    assert "Conferma: seleziona e riserva 12.000 €" in page
    english = text(staff.get(f"/en/gestione/domande/{ids[0]}/seleziona"))
    assert "Amount reserved for the project €12,000" in english and "Available after the selection €38,000" in english

    # A POST without the confirmation (an old page, a script) is refused and leads to the confirmation.
    refused = decide(staff, ids[0], decisione="seleziona")
    assert refused.status_code == 302 and refused.headers["Location"].endswith(f"/domande/{ids[0]}/seleziona")
    assert "Selezione non registrata: selezionare un progetto riserva fondi pubblici" in text(
        staff.get(refused.headers["Location"])
    )
    assert reserved(app) == []

    confirmed = decide(staff, ids[0], decisione="seleziona", conferma="1200000")
    assert confirmed.status_code == 302 and confirmed.headers["Location"].endswith(RANKING)
    assert "Progetto selezionato: restano 38.000 € del budget." in text(staff.get(RANKING))
    assert reserved(app) == [12_000_00]
    with app.app_context():
        (entry,) = db.session.scalars(db.select(AuditEntry).filter_by(action="application.select")).all()
        assert entry.changes["reserved_cents"] == [None, 12_000_00]


def test_a_confirmation_of_another_amount_is_refused(app):
    (application_id,) = submitted(app, 1)
    evaluated(app, [application_id])
    staff = staff_client(app)
    response = decide(staff, application_id, decisione="seleziona", conferma="1000000")
    assert response.status_code == 302
    assert "l'importo da riservare è cambiato ed è ora 12.000 €" in text(staff.get(response.headers["Location"]))
    assert reserved(app) == []
    with app.app_context():
        assert db.session.get(Application, application_id).status.value == "in_evaluation"


def test_the_confirmation_says_when_the_budget_cannot_cover_the_project(app):
    (application_id,) = submitted(app, 1)
    evaluated(app, [application_id])
    set_budget(app, 10_000_00)
    staff = staff_client(app)
    page = staff.get(f"/it/gestione/domande/{application_id}/seleziona")
    assert "Il budget non basta: il progetto richiede 12.000 € e restano 10.000 €" in text(page)
    assert "Conferma: seleziona" not in text(page)


def test_the_ranking_waits_for_every_decision_then_the_call_page_shows_the_selected_projects(app):
    ids = submitted(app, 3)
    evaluated(app, ids)
    staff = staff_client(app)
    visitor = app.test_client()
    with app.app_context():
        giulia = accounts.user_by_email(STAFF)
        selection.select(ids[0], giulia, DECIDED_AT)
        selection.reject(ids[1], giulia, DECIDED_AT)
        waiting = db.session.get(Application, ids[2]).protocol_number

    page = text(staff.get(PUBLISH))
    assert "Non si può ancora pubblicare" in page and waiting in page and "Conferma: pubblica" not in page
    token = csrf_from(staff.get(RANKING).get_data(as_text=True))
    refused = staff.post(PUBLISH, data={"csrf_token": token, "conferma": "pubblica"})
    assert refused.status_code == 409 and waiting in text(refused)
    assert 'id="graduatoria"' not in visitor.get("/it/bando/2020").get_data(as_text=True)

    with app.app_context():
        selection.select(ids[2], accounts.user_by_email(STAFF), DECIDED_AT)
    assert "Conferma: pubblica 2 progetti selezionati" in text(staff.get(PUBLISH))
    unconfirmed = staff.post(PUBLISH, data={"csrf_token": token})
    assert unconfirmed.status_code == 302 and 'id="graduatoria"' not in visitor.get("/it/bando/2020").get_data(
        as_text=True
    )
    published = staff.post(PUBLISH, data={"csrf_token": token, "conferma": "pubblica"})
    assert published.status_code == 302
    assert "Graduatoria pubblicata nella pagina del bando." in text(staff.get(RANKING))

    italian = text(visitor.get("/it/bando/2020"))
    assert "I progetti selezionati" in italian and "2 progetti selezionati per le campagne di crowdfunding." in italian
    assert "1 Progetto 0 Associazione Prova 0 76,00 12.000 €" in italian
    assert "2 Progetto 2 Associazione Prova 2 76,00 12.000 €" in italian
    assert "Progetto 1" not in italian  # not selected: never shown
    english = visitor.get("/en/bando/2020")
    assert "1 Progetto 0 Associazione Prova 0 76.00 €12,000" in text(english)
    assert '<th scope="row" lang="it">Progetto 0</th>' in english.get_data(as_text=True)

    again = staff.post(PUBLISH, data={"csrf_token": token, "conferma": "pubblica"})
    assert again.status_code == 302 and "La graduatoria era già pubblicata." in text(staff.get(RANKING))
    with app.app_context():
        assert db.session.scalars(db.select(AuditEntry.action).filter_by(action="edition.ranking_publish")).all() == [
            "edition.ranking_publish"
        ]


def test_the_new_pages_are_valid_html(app, tmp_path):
    ids = submitted(app, 2)
    evaluated(app, ids)
    staff = staff_client(app)
    pages = {
        "confirm-it": staff.get(f"/it/gestione/domande/{ids[0]}/seleziona"),
        "confirm-en": staff.get(f"/en/gestione/domande/{ids[1]}/seleziona"),
        "publish-waiting": staff.get(PUBLISH),
    }
    with app.app_context():
        giulia = accounts.user_by_email(STAFF)
        selection.select(ids[0], giulia, DECIDED_AT)
        selection.reject(ids[1], giulia, DECIDED_AT)
    pages["publish-ready"] = staff.get("/en/gestione/graduatoria/pubblica")
    token = csrf_from(staff.get(RANKING).get_data(as_text=True))
    staff.post(PUBLISH, data={"csrf_token": token, "conferma": "pubblica"})
    pages["publish-done"] = staff.get(PUBLISH)
    pages["ranking-done"] = staff.get(RANKING)
    pages["call-it"] = app.test_client().get("/it/bando/2020")
    pages["call-en"] = app.test_client().get("/en/bando/2020")
    files = []
    for case, response in pages.items():
        assert response.status_code == 200, case
        target = tmp_path / f"{case}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []


def test_the_application_page_leads_to_the_selection_while_the_ranking_would(app):
    ids = submitted(app, 2)
    staff = staff_client(app)
    link = f'href="/it/gestione/domande/{ids[0]}/seleziona"'
    page = staff.get(f"/it/gestione/domande/{ids[0]}")
    assert link in page.get_data(as_text=True) and "Decisione" in text(page)
    assert link in staff.get(RANKING).get_data(as_text=True)  # the same rule on both pages
    assert staff.get(f"/it/gestione/domande/{ids[0]}/seleziona").status_code == 200
    english = text(staff.get(f"/en/gestione/domande/{ids[0]}"))
    assert "Select" in english and "Do not select" in english

    assert decide(staff, ids[1], decisione="escludi").status_code == 302
    decided = staff.get(f"/it/gestione/domande/{ids[1]}").get_data(as_text=True)
    assert f'/gestione/domande/{ids[1]}/seleziona"' not in decided
    assert f'/gestione/domande/{ids[1]}/seleziona"' not in staff.get(RANKING).get_data(as_text=True)
