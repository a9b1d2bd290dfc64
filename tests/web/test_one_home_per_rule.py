"""A rule changed in its one home changes the whole site: the pages offer what the services accept."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.clock import ROME
from portal.domain import registration as registration_rules
from portal.extensions import db
from portal.models import Edition, Event, OutboxMessage, Registrant
from portal.services.places import neighbourhoods
from tests.accounts import csrf_from
from tests.gallery_data import text_of


@pytest.fixture
def first_lesson(app):
    with app.app_context():
        lesson = db.session.scalars(
            db.select(Event).where(Event.slug.like("corso-2020-%")).order_by(Event.starts_at)
        ).first()
        return lesson.id, lesson.slug, lesson.title_it, lesson.starts_at


def _sign_up(client, lesson_id: int, email: str):
    form = client.get("/it/calendario/iscrizione").get_data(as_text=True)
    data = {"csrf_token": csrf_from(form), "lezioni": [lesson_id], "nome": "Anna Rossi", "email": email, "privacy": "y"}
    return client.post("/it/calendario/iscrizione", data=data)


def _personal_page(app) -> str:
    with app.app_context():
        body = db.session.scalars(db.select(OutboxMessage.body).order_by(OutboxMessage.id.desc())).first()
    return re.search(r"http://127\.0\.0\.1:5000(/it/iscrizioni/[\w-]+)", body).group(1)


def test_registration_closing_an_hour_before_a_lesson_is_one_change(app, client, at, monkeypatch, first_lesson):
    lesson_id, slug, title, starts_at = first_lesson
    at((starts_at - timedelta(minutes=90)).astimezone(ROME).isoformat())
    assert _sign_up(client, lesson_id, "prima@example.org").status_code == 200
    personal = _personal_page(app)
    assert "Annulla l'iscrizione" in client.get(personal).get_data(as_text=True)

    monkeypatch.setattr(registration_rules, "REGISTRATION_CLOSES_BEFORE", timedelta(hours=1))
    monkeypatch.setattr(registration_rules, "CANCELLATION_CLOSES_BEFORE", timedelta(hours=1))
    at((starts_at - timedelta(minutes=30)).astimezone(ROME).isoformat())

    assert f'value="{lesson_id}"' not in client.get("/it/calendario/iscrizione").get_data(as_text=True)
    event_page = client.get(f"/it/eventi/{slug}").get_data(as_text=True)
    assert "Iscriviti a questa lezione" not in event_page
    assert "Le iscrizioni a questa lezione sono chiuse." in event_page
    calendar = client.get("/it/calendario").get_data(as_text=True)
    card = calendar[calendar.index(title) :]
    assert card.index("Iscrizioni chiuse") < card.index("</li>")
    assert "Annulla l'iscrizione" not in client.get(personal).get_data(as_text=True)
    # A post for it all the same (a form left open) stores nothing.
    assert _sign_up(client, lesson_id, "seconda@example.org").status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(Registrant).filter_by(email="seconda@example.org")) is None


def test_a_new_match_rule_is_stated_as_it_is_on_every_page(app, client, at):
    """ "The Comune's share becomes 50% up to 50.000 €": the edition's figures change, every sentence follows."""
    at("2020-06-01T10:00:00+02:00")
    with app.app_context():
        edition = db.session.scalar(db.select(Edition).filter_by(year=2020))
        edition.match_percent, edition.match_cap_cents = 50, 50_000_00
        db.session.commit()
    home = text_of(client.get("/it/"))
    call = text_of(client.get("/it/bando/2020"))
    assert "il Comune aggiunge il 50% del costo, fino a 50.000 €" in home
    assert "pari al 50% del costo del progetto, fino a un massimo di 50.000 €" in call
    for page in (home, call):
        assert "60%" not in page and "restante" not in page
    assert "the Comune adds 50% of the cost, up to €50,000." in text_of(client.get("/en/"))


def test_a_new_municipio_in_the_data_reaches_every_list(app, client, at, monkeypatch):
    """The Municipi come from the data (each NIL names its own): a tenth needs no code change."""
    at("2020-11-15T12:00:00+01:00")
    extra = neighbourhoods.Nil(9001, "NUOVO QUARTIERE", 10)
    with_tenth = {**neighbourhoods.all_nil(), extra.id: extra}
    monkeypatch.setattr(neighbourhoods, "all_nil", lambda: with_tenth)
    caches = (neighbourhoods.municipi, neighbourhoods.grouped_choices)  # read once from the data
    for cached in caches:
        cached.cache_clear()
    try:
        assert neighbourhoods.municipi() == tuple(range(1, 11))
        gallery = client.get("/it/progetti?municipio=10").get_data(as_text=True)
        assert '<option value="10" selected>Municipio 10</option>' in gallery
        assert "ignorati" not in gallery  # a Municipio that exists is a valid filter
        assert '<option value="9001">Nuovo Quartiere</option>' in gallery  # the NIL filter lists it too
    finally:
        for cached in caches:  # no call until the patch is undone: the next one reads the data
            cached.cache_clear()
