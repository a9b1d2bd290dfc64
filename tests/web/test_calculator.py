"""The match-funding calculator: a GET form that works alone and as an htmx fragment."""

import re
from html import unescape

import pytest

from portal.extensions import db
from portal.models import Edition


def squeeze(response):
    return " ".join(unescape(response.get_data(as_text=True)).split())


def figures(html):
    citizens = re.search(r'id="calc-citizens">([^<]+)<', html)
    comune = re.search(r'id="calc-comune">([^<]+)<', html)
    return citizens.group(1), comune.group(1)


@pytest.mark.parametrize(
    ("cost", "citizens", "comune"),
    [
        ("20.000", "8.000 €", "12.000 €"),
        ("20000", "8.000 €", "12.000 €"),
        ("100.000", "40.000 €", "60.000 €"),
        ("20000,50", "8.000,20 €", "12.000,30 €"),
        ("20,000.50", "8.000,20 €", "12.000,30 €"),
    ],
)
def test_citizens_target_and_comune_share(client, cost, citizens, comune):
    response = client.get("/it/bando/2020", query_string={"costo": cost})
    assert response.status_code == 200
    assert figures(squeeze(response)) == (citizens, comune)


def test_english_page_formats_money_the_english_way(client):
    html = squeeze(client.get("/en/bando/2020?costo=20,000.50"))
    assert figures(html) == ("€8,000.20", "€12,000.30")


def test_over_the_limit_is_explained_and_the_value_kept(client):
    html = squeeze(client.get("/it/bando/2020?costo=150.000"))
    assert "Il costo supera il limite del bando: un progetto può costare al massimo 100.000 €." in html
    assert 'value="150.000"' in html
    assert 'id="calc-citizens"' not in html


@pytest.mark.parametrize("lang", ["it", "en"])
def test_not_a_number_gets_a_clear_message_tied_to_the_field(client, lang):
    response = client.get(f"/{lang}/bando/2020?costo=abc")
    assert response.status_code == 200
    html = squeeze(response)
    message = {"it": "Scrivi il costo come numero in euro", "en": "Write the cost as a number of euros"}[lang]
    assert message in html
    assert 'value="abc"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="costo-hint costo-error"' in html
    assert re.search(r"<title>(Errore|Error):", html)
    assert 'href="#costo"' in html  # the error summary links to the field


def test_empty_cost_asks_for_one(client):
    html = squeeze(client.get("/it/bando/2020?costo="))
    assert "Inserisci il costo del progetto" in html


def test_htmx_gets_the_fragment_and_the_announcement(client):
    response = client.get("/it/bando/2020?costo=20.000", headers={"HX-Request": "true"})
    html = squeeze(response)
    assert "<html" not in html and "<form" in html
    assert figures(html) == ("8.000 €", "12.000 €")
    assert 'data-hx-swap-oob="innerHTML:#calculator-status"' in html
    assert "Da raccogliere: 8.000 €. Contributo del Comune: 12.000 €." in html
    assert "HX-Request" in response.headers["Vary"]


def test_without_htmx_the_same_url_is_the_whole_page(client):
    response = client.get("/it/bando/2020?costo=20.000")
    assert "<html" in response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]


def test_a_history_restore_gets_the_whole_page(client):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in client.get("/it/bando/2020?costo=20.000", headers=headers).get_data(as_text=True)


def test_the_figures_are_the_editions(app, client):
    with app.app_context():
        edition = db.session.execute(db.select(Edition).filter_by(year=2020)).scalar_one()
        edition.match_cap_cents = 50_000_00
        db.session.commit()
    html = squeeze(client.get("/it/bando/2020?costo=100.000"))
    assert figures(html) == ("40.000 €", "50.000 €")
    assert "fino a 50.000 €" in html
    assert "Resta da coprire con altre donazioni o fondi propri" in html
    assert "fino a 60.000 €" not in html
