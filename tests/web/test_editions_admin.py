"""A new year is data: staff copy an edition, then change its figures, dates, legal forms and criteria."""

from __future__ import annotations

from html import unescape

import pytest

from portal.clock import to_rome
from portal.extensions import db
from portal.models import AuditEntry, Criterion, Edition, Role
from tests.accounts import csrf_from, make_user, sign_in
from tests.panel import STAFF, evaluated, submitted


@pytest.fixture
def staff(app):
    make_user(app, STAFF, Role.STAFF)
    client = app.test_client()
    sign_in(client, app, STAFF)
    return client


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), **data})


def edition(app, year):
    with app.app_context():
        found = db.session.scalars(db.select(Edition).filter_by(year=year)).one()
        db.session.expunge(found)
        return found


def test_a_new_edition_is_copied_from_the_latest(app, staff):
    response = post(staff, "/it/gestione/edizioni", {"anno": "2021"})
    assert response.headers["Location"] == "/it/gestione/edizioni/2021"
    copy = edition(app, 2021)
    assert (copy.max_cost_cents, copy.match_percent, copy.budget_cents, copy.is_published) == (
        100_000_00,
        60,
        500_000_00,
        False,
    )
    assert to_rome(copy.applications_close_at).isoformat() == "2021-08-01T00:00:00+02:00"
    assert copy.eligible_legal_forms == ["associazione", "fondazione", "impresa_sociale"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Criterion).filter_by(edition_id=copy.id)) == 4
        first = db.session.scalars(db.select(Criterion).filter_by(edition_id=copy.id, code="impatto")).one()
        assert first.rubric_it.startswith("0–2: Benefici per il quartiere non indicati o generici.\n3–5: ")
        assert first.rubric_en.startswith("0–2: Benefits for the neighbourhood missing or generic.\n3–5: ")
    taken = post(staff, "/it/gestione/edizioni", {"anno": "2021"})
    assert "Esiste già un'edizione per questo anno" in unescape(taken.get_data(as_text=True))


def test_staff_change_figures_dates_and_criteria(app, staff):
    post(staff, "/it/gestione/edizioni", {"anno": "2021"})
    form = {
        "ultimo_giorno": "30/06/2021",
        "costo_massimo": "120.000",
        "durata_massima": "18",
        "giorni_campagna": "45",
        "soglia": "40",
        "quota_comune": "60",
        "tetto": "70.000",
        "budget": "600.000",
        "forme": ["associazione", "fondazione"],
        "criteri-0-etichetta_it": "Impatto",
        "criteri-0-etichetta_en": "Impact",
        "criteri-0-peso": "60",
        "criteri-0-massimo": "10",
        "criteri-1-etichetta_it": "Fattibilità",
        "criteri-1-etichetta_en": "Feasibility",
        "criteri-1-peso": "40",
        "criteri-1-massimo": "5",
    }
    assert post(staff, "/it/gestione/edizioni/2021", form).status_code == 302
    saved = edition(app, 2021)
    assert (saved.max_cost_cents, saved.budget_cents, saved.campaign_days, saved.max_duration_months) == (
        120_000_00,
        600_000_00,
        45,
        18,
    )
    assert to_rome(saved.applications_close_at).isoformat() == "2021-07-01T00:00:00+02:00"
    assert saved.eligible_legal_forms == ["associazione", "fondazione"]
    with app.app_context():
        labels = db.session.scalars(
            db.select(Criterion.label_it).filter_by(edition_id=saved.id).order_by(Criterion.position)
        ).all()
        assert labels == ["Impatto", "Fattibilità"]
        assert "edition.update" in db.session.scalars(db.select(AuditEntry.action)).all()

    bad = post(staff, "/it/gestione/edizioni/2021", {**form, "soglia": "150", "budget": "tanti", "criteri-1-peso": ""})
    text = unescape(bad.get_data(as_text=True))
    assert "<title>Errore:" in text and "da 1 a 100" in text and "Scrivi un importo in euro" in text
    assert edition(app, 2021).budget_cents == 600_000_00  # nothing half-saved


def test_criteria_with_scores_cannot_change(app, staff, at):
    at("2020-09-15T10:00:00+02:00")
    ids = submitted(app, 1)
    evaluated(app, ids)
    form = {
        "ultimo_giorno": "31/07/2020",
        "costo_massimo": "100.000",
        "budget": "500.000",
        "soglia": "40",
        "quota_comune": "60",
        "tetto": "60.000",
        "forme": ["associazione"],
        "criteri-0-etichetta_it": "Solo uno",
        "criteri-0-etichetta_en": "Just one",
        "criteri-0-peso": "1",
        "criteri-0-massimo": "10",
    }
    response = post(staff, "/it/gestione/edizioni/2020", form)
    assert "Ci sono già valutazioni con questi criteri" in unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Criterion)) == 4
