"""Staff run the call: admissibility, evaluators and conflicts, ranking, selection within the budget, campaigns."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest

from portal.extensions import db
from portal.models import Application, Attachment, AuditEntry, Campaign, Edition, OutboxMessage, Role
from tests.accounts import csrf_from, make_user, sign_in
from tests.panel import EVALUATORS, STAFF, evaluated, submitted


@pytest.fixture(autouse=True)
def _september(at):
    at("2020-09-15T10:00:00+02:00")


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def post(client, url, data, page):
    return client.post(url, data={"csrf_token": csrf_from(client.get(page).get_data(as_text=True)), **data})


@pytest.fixture
def staff(app, client):
    return client


def signed_in(app, email):
    client = app.test_client()
    sign_in(client, app, email)
    return client


def mails_to(app, email):
    with app.app_context():
        return db.session.scalars(db.select(OutboxMessage).filter_by(to=email).order_by(OutboxMessage.id)).all()


def test_the_list_filters_searches_and_exports(app):
    ids = submitted(app, 3, admit=False)
    staff = signed_in(app, STAFF)
    page = text_of(staff.get("/it/gestione/domande?q=progetto 1"))
    assert "Progetto 1" in page and "Progetto 2" not in page and "1 domanda" in page
    assert "Progetto 0" in text_of(staff.get("/it/gestione/domande?municipio=6&tema=inclusione&ordina=costo"))
    assert "Nessuna domanda" in text_of(staff.get("/it/gestione/domande?municipio=1"))
    assert staff.get("/it/gestione/domande?stato=nonsense&municipio=x&ordina=';drop").status_code == 200
    rows = list(csv.reader(io.StringIO(staff.get("/it/gestione/domande.csv").data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Protocollo" and [r[0] for r in rows[1:]] == ["CC2020-0001", "CC2020-0002", "CC2020-0003"]
    assert staff.get(f"/it/gestione/domande/{ids[0]}").status_code == 200


def test_admissibility_needs_a_reason_to_refuse_and_tells_the_applicant(app):
    ids = submitted(app, 2, admit=False)
    staff = signed_in(app, STAFF)
    url, page = f"/it/gestione/domande/{ids[0]}/ammissibilita", f"/it/gestione/domande/{ids[0]}"
    response = post(staff, url, {"esito": "non_ammissibile"}, page)
    assert response.status_code == 200 and "Scrivi il motivo" in text_of(response)
    post(staff, url, {"esito": "non_ammissibile", "motivo": "Manca lo statuto firmato"}, page)
    post(staff, f"/it/gestione/domande/{ids[1]}/ammissibilita", {"esito": "ammissibile"}, page)
    with app.app_context():
        statuses = [db.session.get(Application, i).status.value for i in ids]
    assert statuses == ["not_selected", "in_evaluation"]
    (mail,) = mails_to(app, "org0@org.example")[-1:]
    assert "Manca lo statuto firmato" in mail.body


def test_a_conflict_of_interest_excludes_the_evaluator_who_is_replaced(app):
    (application_id,) = submitted(app, 1)
    for email in EVALUATORS:
        make_user(app, email, Role.EVALUATOR)
    staff = signed_in(app, STAFF)
    page = f"/it/gestione/domande/{application_id}"
    with app.app_context():
        from portal.services.accounts.accounts import user_by_email

        ids = [user_by_email(e).id for e in EVALUATORS]
    for evaluator_id in ids[:2]:
        post(staff, f"{page}/valutatori", {"valutatore": str(evaluator_id)}, page)

    eva, ugo = signed_in(app, EVALUATORS[0]), signed_in(app, EVALUATORS[1])
    eva_assignment = re.search(r"/it/valutazione/(\d+)", eva.get("/it/valutazione/").get_data(as_text=True)).group(1)
    declaration = text_of(eva.get(f"/it/valutazione/{eva_assignment}"))
    assert "conflitto di interessi" in declaration and "Attività per ragazzi" not in declaration  # nothing before it
    post(
        eva,
        f"/it/valutazione/{eva_assignment}",
        {"conflitto": "si", "nota": "Sono socia"},
        f"/it/valutazione/{eva_assignment}",
    )
    assert "non puoi vedere né valutare" in text_of(eva.get(f"/it/valutazione/{eva_assignment}"))
    with app.app_context():
        attachment_id = db.session.scalars(db.select(Attachment.id)).one()
    statute = f"/it/domanda/{application_id}/allegati/{attachment_id}"
    assert eva.get(statute).status_code == 404  # excluded: not even the attachments
    assert "Manca 1 valutatore senza conflitti di interesse." in text_of(staff.get(page))
    post(staff, f"{page}/valutatori", {"valutatore": str(ids[2])}, page)

    # Ugo cannot open Eva's assignment, only his own; once he declares no conflict he reads the files.
    assert ugo.get(f"/it/valutazione/{eva_assignment}").status_code == 404
    assert ugo.get(statute).status_code == 404
    ugo_assignment = re.search(r"/it/valutazione/(\d+)", ugo.get("/it/valutazione/").get_data(as_text=True)).group(1)
    post(ugo, f"/it/valutazione/{ugo_assignment}", {"conflitto": "no"}, f"/it/valutazione/{ugo_assignment}")
    assert "Attività per ragazzi" in text_of(ugo.get(f"/it/valutazione/{ugo_assignment}"))
    assert ugo.get(statute).data.startswith(b"%PDF")
    with app.app_context():
        entries = db.session.scalars(db.select(AuditEntry.action)).all()
    assert entries.count("evaluation.assign") == 3 and "evaluation.declare" in entries


def test_scores_give_a_ranking_with_average_and_spread(app):
    ids = submitted(app, 2)
    evaluated(app, ids[:1])
    staff = signed_in(app, STAFF)
    page = text_of(staff.get("/it/gestione/graduatoria"))
    assert "76,00" in page and "0,00" in page  # two equal scores: no spread
    assert "Questi criteri sono un esempio" in page
    assert page.index("Progetto 0") < page.index("Progetto 1")  # the unscored one comes last


def test_selection_reserves_within_the_budget_and_refuses_to_overspend(app):
    ids = submitted(app, 3)
    evaluated(app, ids)
    with app.app_context():
        db.session.scalars(db.select(Edition).filter_by(year=2020)).one().budget_cents = 30_000_00
        db.session.commit()
    staff = signed_in(app, STAFF)
    for application_id in ids[:2]:
        response = post(
            staff,
            f"/it/gestione/domande/{application_id}/decisione",
            {"decisione": "seleziona", "conferma": "1200000"},
            "/it/gestione/graduatoria",
        )
        assert response.status_code == 302
    refused = post(
        staff,
        f"/it/gestione/domande/{ids[2]}/decisione",
        {"decisione": "seleziona", "conferma": "1200000"},
        "/it/gestione/graduatoria",
    )
    text = text_of(refused)
    assert refused.status_code == 409
    assert (
        "il progetto richiede 12.000 € ma del budget di 30.000 € sono già riservati 24.000 € e restano 6.000 €" in text
    )
    with app.app_context():
        assert db.session.get(Application, ids[2]).status.value == "in_evaluation"
        reserved = db.session.scalars(
            db.select(Application.reserved_cents).where(Application.reserved_cents.is_not(None))
        ).all()
    assert sorted(reserved) == [12_000_00, 12_000_00]
    post(staff, f"/it/gestione/domande/{ids[2]}/decisione", {"decisione": "escludi"}, "/it/gestione/graduatoria")
    assert "selezionato" in mails_to(app, "org0@org.example")[-1].subject
    assert "Esito della domanda" in mails_to(app, "org2@org.example")[-1].subject
    owner = signed_in(app, "org0@org.example")
    assert "Selezionata" in text_of(owner.get(f"/it/domanda/{ids[0]}/ricevuta"))


def test_a_selected_project_becomes_a_campaign_staff_publish(app):
    ids = submitted(app, 1)
    evaluated(app, ids)
    staff = signed_in(app, STAFF)
    post(
        staff,
        f"/it/gestione/domande/{ids[0]}/decisione",
        {"decisione": "seleziona", "conferma": "1200000"},
        "/it/gestione/graduatoria",
    )
    page = f"/it/gestione/domande/{ids[0]}"
    bad = post(staff, f"{page}/campagna", {"inizio": "31/11/2020"}, page)
    assert bad.status_code == 200 and "Errore:" in text_of(bad)
    response = post(staff, f"{page}/campagna", {"inizio": "30/10/2020"}, page)
    campaign_url = response.headers["Location"]
    with app.app_context():
        campaign = db.session.scalars(db.select(Campaign)).one()
        assert (campaign.title, campaign.goal_cents, campaign.reserved_cents) == ("Progetto 0", 20_000_00, 12_000_00)
        assert campaign.starts_at.isoformat() == "2020-10-29T23:00:00+00:00"  # 30 October 00:00 in Rome
        assert (campaign.ends_at - campaign.starts_at).days == 60
        assert [r.title for r in campaign.rewards] == ["Grazie"] and campaign.published_at is None
    post(staff, f"{campaign_url}/pubblica", {}, campaign_url)
    assert "Pubblicata" in text_of(staff.get("/it/gestione/campagne"))
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEntry.action)).all()
    assert {"application.select", "campaign.launch", "campaign.publish"} <= set(actions)


def test_staff_invite_an_evaluator_who_chooses_a_password(app):
    submitted(app, 0)
    staff = signed_in(app, STAFF)
    post(
        staff,
        "/it/gestione/valutatori",
        {"nome": "Nuova Valutatrice", "email": "nuova@comune.milano.example"},
        "/it/gestione/valutatori",
    )
    (invitation,) = mails_to(app, "nuova@comune.milano.example")
    link = invitation.body.split("http://127.0.0.1:5000")[1].split()[0]
    visitor = app.test_client()
    token = csrf_from(visitor.get(link).get_data(as_text=True))
    response = visitor.post(
        link, data={"csrf_token": token, "password": "a long new passphrase", "conferma": "a long new passphrase"}
    )
    assert response.headers["Location"] == "/it/accesso"
    from tests.accounts import password_step

    assert (
        password_step(visitor, "nuova@comune.milano.example", "a long new passphrase").headers["Location"]
        == "/it/accesso/attiva-codice"
    )
