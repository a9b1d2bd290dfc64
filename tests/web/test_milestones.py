"""A funded project's milestones (issue 19, item 1): the organisation plans and updates them from its
"Dopo la raccolta" page once the campaign has succeeded; the campaign page shows them with their
status (late said in words), the open data lists them, the audit log records every change, and the
campaign page costs no more queries for them."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from html import unescape

import pytest
import sqlalchemy as sa

from portal.clock import ROME
from portal.domain import DomainError
from portal.domain.aftercare import MilestoneState
from portal.extensions import db
from portal.models import AuditEntry, ImpactIndicator, Milestone
from portal.services.accounts import accounts
from portal.services.aftercare import milestones
from portal.services.aftercare.milestones import MilestoneError
from tests.accounts import csrf_from, sign_in
from tests.applicants import make_applicant
from tests.campaigns import NOVEMBER
from tests.projects import applied_campaign

OWNER = "anna@cordata.example"
OTHER = "bruno@altra.example"
MARCH_2021 = "2021-03-01T10:00:00+01:00"  # the demo's 2021 clock: Lab Barona ended on 29 December 2020
MARCH_AT = datetime(2021, 3, 1, 10, 0, tzinfo=ROME)
PAGE = "/it/progetti/lab-barona"


def _funded(app, *, succeeded: bool = True) -> tuple[int, int]:
    """Anna's selected application (timeline 1 January – 31 December 2021) became Lab Barona, which
    reached its threshold and got the Comune's grant."""
    return applied_campaign(app, OWNER, selected=True, succeeded=succeeded)


@pytest.fixture
def funded(app, at):
    at(MARCH_2021)
    return _funded(app)


def signed_in(app, email):
    client = app.test_client()
    sign_in(client, app, email)
    return client


def words(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def post(client, url, **data):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def stored(app, campaign_id) -> list[tuple[str, date, MilestoneState, date | None, str | None]]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Milestone).filter_by(campaign_id=campaign_id).order_by(Milestone.position)
        ).all()
        return [(m.title, m.due_on, m.state, m.done_on, m.note) for m in rows]


def milestone_ids(app, campaign_id) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(sa.select(Milestone.id).filter_by(campaign_id=campaign_id).order_by(Milestone.position))
        )


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_the_first_visit_plans_the_timeline_once_and_the_organisation_updates_it(app, funded):
    application_id, campaign_id = funded
    owner = signed_in(app, OWNER)
    url = f"/it/domanda/{application_id}/dopo-la-raccolta"
    page = words(owner.get(url))
    assert stored(app, campaign_id) == [
        ("Avvio del progetto", date(2021, 1, 1), MilestoneState.PLANNED, None, None),
        ("Conclusione del progetto", date(2021, 12, 31), MilestoneState.PLANNED, None, None),
    ]
    # The start was due on 1 January and is not done: late, on 1 March.
    assert "Avvio del progetto In ritardo – prevista per il 1 gennaio 2021" in page
    assert "Conclusione del progetto Da iniziare" in page

    start, end = milestone_ids(app, campaign_id)
    data = {
        "azione": "aggiorna-tappa",
        "tappa": start,
        f"tappa-{start}-titolo": "Avvio del laboratorio",
        f"tappa-{start}-data": "15/01/2021",
        f"tappa-{start}-stato": "done",
        f"tappa-{start}-nota": "Aperto il sabato mattina.",
    }
    response = post(owner, url, **data)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{url}#tappa-{start}")
    added = post(
        owner,
        url,
        azione="aggiungi-tappa",
        **{"nuova-tappa-titolo": "Festa di quartiere", "nuova-tappa-data": "2021-06-12"},
    )
    assert added.status_code == 303
    assert post(owner, url, azione="elimina-tappa", tappa=end).status_code == 303
    owner.get(url)  # a later visit plans nothing again, though the end was removed
    assert stored(app, campaign_id) == [
        (
            "Avvio del laboratorio",
            date(2021, 1, 15),
            MilestoneState.DONE,
            date(2021, 3, 1),
            "Aperto il sabato mattina.",
        ),
        ("Festa di quartiere", date(2021, 6, 12), MilestoneState.PLANNED, None, None),
    ]
    assert audit_actions(app) == [
        "campaign.milestones_planned",
        "milestone.update",
        "milestone.add",
        "milestone.remove",
    ]
    # Back to "in progress": the day it was done is cleared.
    post(owner, url, **{**data, f"tappa-{start}-stato": "in_progress"})
    assert stored(app, campaign_id)[0][2:4] == (MilestoneState.IN_PROGRESS, None)


def test_the_campaign_page_shows_the_milestones_late_in_words(app, funded, client):
    application_id, campaign_id = funded
    with app.app_context():
        db.session.add_all(
            [
                Milestone(
                    campaign_id=campaign_id, position=1, title="Arredi", due_on=date(2021, 2, 28), updated_at=MARCH_AT
                ),
                Milestone(
                    campaign_id=campaign_id, position=2, title="Apertura", due_on=date(2021, 3, 1), updated_at=MARCH_AT
                ),
                Milestone(
                    campaign_id=campaign_id,
                    position=3,
                    title="Progetto grafico",
                    due_on=date(2021, 1, 10),
                    state=MilestoneState.DONE,
                    done_on=date(2021, 1, 20),
                    updated_at=MARCH_AT,
                ),
            ]
        )
        db.session.commit()
    page = words(client.get(PAGE))
    assert "Dopo la raccolta" in page
    # Due yesterday in Rome: late; due today: not yet; done after its date: never late.
    assert "Arredi In ritardo prevista per il 28 febbraio 2021" in page
    assert "Apertura Da iniziare prevista per il 1 marzo 2021" in page
    assert "Progetto grafico Completata prevista per il 10 gennaio 2021, completata il 20 gennaio 2021" in page
    html = client.get(PAGE).get_data(as_text=True)
    assert '<strong class="badge bg-danger">In ritardo</strong>' in html  # marked, and said in words


def test_a_live_campaign_has_no_milestones_yet(app, at):
    at(NOVEMBER)
    application_id, campaign_id = _funded(app, succeeded=False)
    owner = signed_in(app, OWNER)
    url = f"/it/domanda/{application_id}/dopo-la-raccolta"
    assert "Le tappe si aggiornano quando la campagna si è conclusa con successo" in words(owner.get(url))
    response = post(
        owner, url, azione="aggiungi-tappa", **{"nuova-tappa-titolo": "Festa", "nuova-tappa-data": "2021-06-12"}
    )
    assert response.status_code == 303
    assert "Le tappe si aggiornano quando la campagna si è conclusa con successo" in words(owner.get(url))
    assert stored(app, campaign_id) == []
    with app.app_context():
        user = accounts.user_by_email(OWNER)
        with pytest.raises(DomainError) as refused:
            milestones.plan_from_application(campaign_id, user, datetime(2020, 11, 15, tzinfo=ROME))
        assert refused.value.code is MilestoneError.NOT_FUNDED
    assert "Dopo la raccolta" not in words(app.test_client().get(PAGE))


def test_bad_input_says_what_is_wrong_and_keeps_what_was_typed(app, funded):
    application_id, campaign_id = funded
    owner = signed_in(app, OWNER)
    url = f"/it/domanda/{application_id}/dopo-la-raccolta"
    owner.get(url)
    response = post(
        owner,
        url,
        azione="aggiungi-tappa",
        **{"nuova-tappa-titolo": "Festa di quartiere", "nuova-tappa-data": "31/02/2021"},
    )
    assert response.status_code == 200
    assert "Scrivi una data vera nel formato gg/mm/aaaa" in words(response)
    assert 'value="Festa di quartiere"' in response.get_data(as_text=True)
    assert 'value="31/02/2021"' in response.get_data(as_text=True)
    response = post(owner, url, azione="aggiungi-tappa", **{"nuova-tappa-titolo": "", "nuova-tappa-data": "2021-06-12"})
    assert "Scrivi il titolo della tappa" in words(response)
    assert len(stored(app, campaign_id)) == 2


def test_another_organisation_gets_404(app, funded):
    application_id, campaign_id = funded
    make_applicant(app, OTHER, 1)
    other = signed_in(app, OTHER)
    url = f"/it/domanda/{application_id}/dopo-la-raccolta"
    assert other.get(url).status_code == 404
    token = csrf_from(other.get("/it/domanda/organizzazione").get_data(as_text=True))
    response = other.post(
        url,
        data={
            "csrf_token": token,
            "azione": "aggiungi-tappa",
            "nuova-tappa-titolo": "X",
            "nuova-tappa-data": "2021-06-12",
        },
    )
    assert response.status_code == 404
    assert stored(app, campaign_id) == []


def test_the_open_data_lists_the_milestones_with_their_status(app, funded, client):
    application_id, campaign_id = funded
    owner = signed_in(app, OWNER)
    owner.get(f"/it/domanda/{application_id}/dopo-la-raccolta")
    response = client.get("/dati/traguardi.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
    assert [(r["campaign_slug"], r["position"], r["title"], r["due_on"], r["status"], r["done_on"]) for r in rows] == [
        ("lab-barona", "1", "Avvio del progetto", "2021-01-01", "late", ""),
        ("lab-barona", "2", "Conclusione del progetto", "2021-12-31", "planned", ""),
    ]
    assert rows[0]["campaign_url"].endswith("/it/progetti/lab-barona")
    document = client.get("/dati/traguardi.json").get_json()
    assert document["count"] == 2 and document["metadata"]["licence"] == "CC BY 4.0"
    assert [m["status"] for m in document["milestones"]] == ["late", "planned"]
    assert "traguardi.csv" in client.get("/it/dati-aperti").get_data(as_text=True)


def test_the_campaign_page_reads_the_milestones_without_a_query_of_its_own(app, funded, client, count_queries):
    application_id, campaign_id = funded

    def counted():
        client.get(PAGE)  # the per-version lookups (the layout's, and "Dopo la raccolta")
        with count_queries() as queries:
            response = client.get(PAGE)
        assert response.status_code == 200
        return queries

    before = counted()
    with app.app_context():
        for position in range(1, 13):
            db.session.add(
                Milestone(
                    campaign_id=campaign_id,
                    position=position,
                    title=f"Tappa {position}",
                    due_on=date(2021, position, 1),
                    updated_at=MARCH_AT,
                )
            )
        db.session.add(ImpactIndicator(application_id=application_id, code="volunteers", target=12, reported=15))
        db.session.commit()
    after = counted()
    assert "Tappa 12" in client.get(PAGE).get_data(as_text=True)
    assert after.count == before.count <= 3, after.statements


def test_the_open_data_files_cost_one_query_whatever_the_number_of_milestones(app, funded, client, count_queries):
    application_id, campaign_id = funded

    def counted(path):
        client.get(path)  # the per-version lookups of the first request
        with count_queries() as queries:
            assert client.get(path).get_data()  # the rows are read as the file streams out
        return [statement for statement in queries.statements if "milestone" in statement or "impact" in statement]

    few = {path: counted(path) for path in ("/dati/traguardi.csv", "/dati/indicatori.csv")}
    with app.app_context():
        for position in range(1, 41):
            db.session.add(
                Milestone(
                    campaign_id=campaign_id,
                    position=position,
                    title=f"Tappa {position}",
                    due_on=date(2021, 5, 1),
                    updated_at=MARCH_AT,
                )
            )
        db.session.add(ImpactIndicator(application_id=application_id, code="partners", target=3))
        db.session.commit()
    many = {path: counted(path) for path in few}
    assert all(len(statements) == 1 for statements in [*few.values(), *many.values()]), (few, many)
    assert few == many
    assert client.get("/dati/traguardi.csv").get_data(as_text=True).count("\r\n") == 41
