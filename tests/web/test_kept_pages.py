"""The gallery's and a campaign's own parts are rendered once per data version and kept by each
worker (portal/rendering.py `kept_page`); only the layout is rendered per request. A kept page is
byte for byte the page itself, never shows data older than the last commit, is never what a
signed-in person sees, and the kept pieces stay within their budget (KEPT_HTML_BYTES)."""

from __future__ import annotations

import pytest
from flask import Flask

from portal.blueprints.campaigns.page import campaign_page, published_campaign
from portal.extensions import db
from portal.models import Role
from tests.accounts import make_user, sign_in
from tests.campaigns import NOVEMBER, confirm, make_campaign, pledge

PAGE = "/it/progetti/lab-barona"
GALLERY = "/it/progetti?municipio=6"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


def plain(app: Flask, path: str) -> str:
    """The campaign's page rendered whole, as before anything was kept."""
    with app.test_request_context(path):
        return campaign_page(published_campaign(path.rsplit("/", 1)[1]))


def test_a_kept_campaign_page_is_the_page_itself_and_follows_every_commit(app, client):
    barona = make_campaign(app)
    first = client.get(PAGE).get_data(as_text=True)
    assert client.get(PAGE).get_data(as_text=True) == first == plain(app, PAGE)
    confirm(app, pledge(app, barona, 400_00), 400_00)
    after = client.get(PAGE).get_data(as_text=True)
    assert after != first
    assert after == plain(app, PAGE)
    assert "400" in after


def test_the_gallery_and_its_htmx_fragment_are_kept_apart(app, client):
    make_campaign(app)
    page = client.get(GALLERY)
    fragment = client.get(GALLERY, headers={"HX-Request": "true"})
    assert "<html" in page.get_data(as_text=True) and "<html" not in fragment.get_data(as_text=True)
    assert client.get(GALLERY).data == page.data
    assert client.get(GALLERY, headers={"HX-Request": "true"}).data == fragment.data
    assert "Lab Barona" in fragment.get_data(as_text=True)


def test_a_signed_in_person_gets_their_own_page_not_the_kept_one(app, client):
    make_campaign(app)
    client.get(PAGE)  # kept for anonymous visitors
    make_user(app, "giulia@comune.milano.example", Role.STAFF)
    sign_in(client, app, "giulia@comune.milano.example")
    mine = client.get(PAGE).get_data(as_text=True)
    assert "Esci" in mine and "Accedi</a>" not in mine
    assert "Accedi</a>" in app.test_client().get(PAGE).get_data(as_text=True)


def test_the_kept_pieces_stay_within_their_budget(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "KEPT_HTML_BYTES", 200_000)
    state = app.extensions["data_version"]
    monkeypatch.setattr(state, "html", None)  # made again with this budget
    for number in range(12):
        make_campaign(app, f"Orto {number}")
    with app.app_context():
        db.session.remove()
    for number in range(12):
        assert client.get(f"/it/progetti/orto-{number}").status_code == 200
        assert client.get(f"/en/progetti/orto-{number}").status_code == 200
    assert 0 < state.html.currsize <= 200_000
    assert len(state.html) < 12 * 2  # the least recently asked went
