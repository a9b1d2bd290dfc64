"""The organisation posts updates on its campaign from its area; nobody else can."""

from __future__ import annotations

import re
from html import unescape

import pytest

from portal.extensions import db
from portal.models import CampaignUpdate, Role
from portal.services.applications import applications
from tests.accounts import csrf_from, make_user, sign_in
from tests.applicants import draft, make_applicant
from tests.campaigns import NOVEMBER
from tests.panel import SUBMITTED_AT
from tests.projects import applied_campaign

OWNER = "anna@cordata.example"
OTHER = "bruno@altra.example"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def application_id(app):
    """Anna's organisation applied; its application became the published campaign Lab Barona."""
    return applied_campaign(app, OWNER)[0]


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


def stored_updates(app) -> list[CampaignUpdate]:
    with app.app_context():
        found = db.session.scalars(db.select(CampaignUpdate).order_by(CampaignUpdate.id)).all()
        db.session.expunge_all()
        return found


def test_the_organisation_posts_an_update_shown_on_the_campaign_page(app, application_id):
    owner = signed_in(app, OWNER)
    url = f"/it/domanda/{application_id}/aggiornamenti"
    assert "Non hai ancora pubblicato aggiornamenti" in words(owner.get(url))
    body = 'Il laboratorio apre!\n\n<a href="https://cordata.example">Orari</a><script>alert(1)</script>'
    response = post(owner, url, titolo="Si parte", testo=body)
    assert response.status_code == 303 and response.headers["Location"] == url
    (update,) = stored_updates(app)
    assert update.title == "Si parte" and "<script>" not in update.body and "alert" not in update.body
    assert '<a href="https://cordata.example" rel="nofollow noopener">Orari</a>' in update.body
    assert "Si parte" in words(owner.get(url))

    page = app.test_client().get("/it/progetti/lab-barona")
    html = page.get_data(as_text=True)
    assert "Si parte" in words(page) and "Il laboratorio apre!" in words(page)
    assert "alert(1)" not in html


def test_errors_keep_what_was_typed_and_save_nothing(app, application_id):
    owner = signed_in(app, OWNER)
    url = f"/it/domanda/{application_id}/aggiornamenti"
    response = post(owner, url, titolo="", testo="Testo senza titolo")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>Errore: " in html and '<a href="#titolo">Scrivi il titolo' in unescape(html)
    assert "Testo senza titolo" in html
    only_code = post(owner, url, titolo="Codice", testo="<script>alert(1)</script><img src=x>")
    assert "Il testo non contiene nulla da pubblicare" in words(only_code)
    assert stored_updates(app) == []


def test_nobody_else_reaches_the_updates(app, application_id):
    url = f"/it/domanda/{application_id}/aggiornamenti"
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/it/accesso" in anonymous.headers["Location"]

    make_applicant(app, OTHER, 1)
    other = signed_in(app, OTHER)
    assert other.get(url).status_code == 404
    token = csrf_from(other.get("/it/domanda/").get_data(as_text=True))
    assert other.post(url, data={"csrf_token": token, "titolo": "X", "testo": "Y"}).status_code == 404

    make_user(app, "staff@comune.milano.example", Role.STAFF)
    assert signed_in(app, "staff@comune.milano.example").get(url).status_code in (403, 404)
    assert stored_updates(app) == []


def test_an_application_without_a_campaign_has_no_updates_page(app):
    make_applicant(app, OWNER, 0)
    application_id = draft(app, OWNER)
    with app.app_context():
        applications.submit(application_id, SUBMITTED_AT, declarations_accepted=True)
    owner = signed_in(app, OWNER)
    assert owner.get(f"/it/domanda/{application_id}/aggiornamenti").status_code == 404
    assert "aggiornamenti" not in owner.get(f"/it/domanda/{application_id}/ricevuta").get_data(as_text=True)


def test_the_receipt_links_to_the_updates(app, application_id):
    receipt = signed_in(app, OWNER).get(f"/it/domanda/{application_id}/ricevuta")
    assert f'href="/it/domanda/{application_id}/aggiornamenti"' in receipt.get_data(as_text=True)
