"""Open data: the campaigns as CSV (RFC 4180) and JSON, with the licence, and the page that documents them."""

from __future__ import annotations

import csv
import io
import json

from portal.extensions import db
from portal.models import Campaign, Edition
from tests.campaigns import NOVEMBER, confirm, make_campaign, pledge


def published_set(app):
    """Lab Barona co-funded (20.000,50 € → 8.000,20 € → grant 12.000,30 €), a campaign whose title a
    spreadsheet would run as a formula, one not published, and one of an unpublished edition."""
    barona = make_campaign(app, "Lab Barona", goal_cents=2_000_050)
    confirm(app, pledge(app, barona, 800_020), 800_020)
    confirm(app, pledge(app, barona, 1_000, name=None), 1_000)
    title = '=HYPERLINK("http://x.example","Vinci")'
    formula = make_campaign(app, title, slug="formula", organisation='@Org, "ACME"')
    make_campaign(app, "Bozza", slug="bozza", published=False)
    old = make_campaign(app, "Vecchia", slug="vecchia")
    with app.app_context():
        edition_2016 = db.session.execute(db.select(Edition).filter_by(year=2016)).scalar_one()
        edition_2016.is_published = False
        db.session.get(Campaign, old).edition_id = edition_2016.id
        campaign = db.session.get(Campaign, barona)
        campaign.demo_estimates = ["pledges", "confirmed_cents"]
        campaign.source_urls = ["https://www.ilgiorno.it/a", "https://www.milanotoday.it/b"]
        db.session.commit()
    return barona, formula


def test_the_csv_is_rfc_4180_with_every_published_campaign(app, client, at):
    published_set(app)
    at(NOVEMBER)
    response = client.get("/dati/progetti.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv" and "charset=utf-8" in response.content_type
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.data.decode("utf-8")
    assert not body.startswith("\ufeff") and body.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert [row["slug"] for row in rows] == ["formula", "lab-barona"]  # same start: by title
    barona = rows[1]
    assert barona == barona | {
        "edition_year": "2020",
        "title": "Lab Barona",
        "url": "http://127.0.0.1:5000/it/progetti/lab-barona",
        "organisation": "La Cordata",
        "municipio": "6",
        "nil_id": "46",
        "nil_name": "BARONA",
        "theme": "ambiente",
        "goal_eur": "20000.50",
        "target_eur": "8000.20",
        "raised_eur": "8010.20",
        "supporters": "2",
        "grant_eur": "12000.30",
        "state": "cofunded",
        "start_date": "2020-10-30",
        "last_day": "2020-12-28",
        "demo_estimate": "true",
        "demo_estimated_fields": "pledges confirmed_cents",
        "source_urls": "https://www.ilgiorno.it/a ; https://www.milanotoday.it/b",
    }
    formula = rows[0]
    assert formula["title"] == '\'=HYPERLINK("http://x.example","Vinci")'
    assert formula["organisation"] == '\'@Org, "ACME"'
    assert (formula["grant_eur"], formula["state"], formula["demo_estimate"]) == ("", "live", "false")
    assert '"\'@Org, ""ACME"""' in body  # quoted as RFC 4180 says


def test_the_json_carries_the_licence_and_the_same_records(app, client, at):
    published_set(app)
    at(NOVEMBER)
    response = client.get("/dati/progetti.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = json.loads(response.data)
    metadata = data["metadata"]
    assert metadata["licence"] == "CC BY 4.0"
    assert metadata["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert metadata["source"] == "Comune di Milano – Crowdfunding Civico"
    assert metadata["generated_at"] == "2020-11-15T11:00:00+00:00"
    assert metadata["documentation_url"] == "http://127.0.0.1:5000/it/dati-aperti"
    assert metadata["count"] == 2
    barona = next(p for p in data["projects"] if p["slug"] == "lab-barona")
    assert (barona["goal_eur"], barona["raised_eur"], barona["grant_eur"]) == ("20000.50", "8010.20", "12000.30")
    assert (barona["supporters"], barona["municipio"], barona["demo_estimate"]) == (2, 6, True)
    assert barona["demo_estimated_fields"] == ["pledges", "confirmed_cents"]
    formula = next(p for p in data["projects"] if p["slug"] == "formula")
    assert formula["title"].startswith("=HYPERLINK") and formula["grant_eur"] is None
    assert {p["slug"] for p in data["projects"]} == {"lab-barona", "formula"}


def test_before_publication_a_campaign_is_not_in_the_data(app, client, at):
    make_campaign(app, "Lab Barona")
    at("2020-10-20T10:00:00+02:00")  # published on 29 October
    assert json.loads(client.get("/dati/progetti.json").data)["projects"] == []
    assert client.get("/dati/progetti.csv").data.decode().count("\r\n") == 1  # the header only


def test_the_open_data_page_documents_fields_licence_and_formats(client):
    for lang, words in (("it", "licenza CC BY 4.0"), ("en", "CC BY 4.0")):
        response = client.get(f"/{lang}/dati-aperti")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert words in html
        assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in html
        assert 'href="/dati/progetti.csv"' in html and 'href="/dati/progetti.json"' in html
        for field in ("edition_year", "goal_eur", "grant_eur", "state", "demo_estimate", "nil_name"):
            assert f"<code>{field}</code>" in html
        assert "<code>not_funded</code>" in html and "<code>ambiente</code>" in html
    assert "RFC 4180" in client.get("/it/dati-aperti").get_data(as_text=True)
