"""The eligibility check answers "you can apply" or explains each failing criterion."""

import re
from html import unescape

import pytest

from portal.extensions import db
from portal.models import Edition
from tests.pages import ELIGIBLE, NOT_ELIGIBLE

URL = "/it/bando/verifica-requisiti"


def squeeze(response):
    return " ".join(unescape(response.get_data(as_text=True)).split())


def test_an_eligible_organisation_is_told_it_can_apply(client):
    html = squeeze(client.get(f"{URL}?{ELIGIBLE}"))
    assert "Puoi partecipare</h2>" in html
    assert "Non puoi partecipare" not in html


def test_every_failing_criterion_is_explained(client):
    html = squeeze(client.get(f"{URL}?{NOT_ELIGIBLE}"))
    assert "Non puoi partecipare: 5 requisiti non sono soddisfatti" in html
    assert (
        "ammette queste forme giuridiche: associazione, fondazione e impresa sociale (anche cooperativa sociale)."
        in html
    )
    assert "senza scopo di lucro" in html
    assert "sede operativa nel Comune di Milano" in html
    assert "al massimo 12 mesi" in html
    assert "al massimo 100.000 €" in html


def test_in_english(client):
    html = squeeze(client.get(f"/en/bando/verifica-requisiti?{ELIGIBLE}"))
    assert "You can apply</h2>" in html


def test_missing_answers_are_asked_for_and_given_answers_kept(client):
    html = squeeze(client.get(f"{URL}?durata=abc&costo=20.000&forma=fondazione"))
    assert "Indica se l'organizzazione è senza scopo di lucro" in html
    assert "Indica se l'organizzazione ha una sede operativa a Milano" in html
    assert "Scrivi la durata come numero intero di mesi" in html
    assert 'value="abc"' in html and 'value="20.000"' in html
    assert re.search(r'<input checked[^>]*value="fondazione"', html)
    assert 'href="#non_profit-0"' in html  # the summary links to the first radio
    assert "<title>Errore:" in html


@pytest.mark.parametrize("query", ["forma=spaceship", "durata=0", "durata=99999999999", "costo=-5", "non_profit=forse"])
def test_bad_values_get_messages_not_errors(client, query):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert "C'è un problema" in squeeze(response)


def test_the_legal_forms_are_the_editions(app, client):
    with app.app_context():
        edition = db.session.execute(db.select(Edition).filter_by(year=2020)).scalar_one()
        edition.eligible_legal_forms = ["associazione", "fondazione", "impresa_sociale", "societa"]
        db.session.commit()
    query = ELIGIBLE.replace("forma=associazione", "forma=societa")
    assert "Puoi partecipare</h2>" in squeeze(client.get(f"{URL}?{query}"))


def test_htmx_gets_the_form_and_verdict_with_an_announcement(client):
    response = client.get(f"{URL}?{NOT_ELIGIBLE}", headers={"HX-Request": "true"})
    html = squeeze(response)
    assert "<html" not in html
    assert "Non puoi partecipare: 5 requisiti non sono soddisfatti." in html
    assert 'data-hx-swap-oob="innerHTML:#checker-status"' in html
    assert "HX-Request" in response.headers["Vary"]
