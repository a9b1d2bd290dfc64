"""The info session's page changes with the clock; its calendar file is right in Rome."""

from datetime import UTC, datetime
from html import unescape

import icalendar

from portal.extensions import db
from portal.models import Event
from tests.pages import COURSE_RUNNING, INFO_LIVE, OPEN

URL = "/it/eventi/sessione-informativa-2020"


def squeeze(response):
    return " ".join(unescape(response.get_data(as_text=True)).split())


def test_before_it_shows_the_date_and_the_calendar_file(client, at):
    at(OPEN)
    html = squeeze(client.get(URL))
    assert "mercoledì 3 giugno 2020, 15:30" in html
    assert "Tra 2 giorni" in html
    assert "Aggiungi al calendario" in html
    assert "Cristina Tajani" in html and "Gabriele Rabaiotti" in html
    assert "YouTube" in html


def test_during_it_is_live_with_the_link(client, at):
    at(INFO_LIVE)
    html = squeeze(client.get(URL))
    assert "In diretta ora" in html
    assert "Guarda la diretta" in html
    assert "Aggiungi al calendario" not in html


def set_recording(app, url):
    with app.app_context():
        db.session.scalars(db.select(Event).filter_by(slug="sessione-informativa-2020")).one().recording_url = url
        db.session.commit()


def test_after_it_offers_the_recording_staff_set(app, client, at):
    at(COURSE_RUNNING)
    set_recording(app, "https://video.example/sessione-informativa")
    html = squeeze(client.get(URL))
    assert (
        '<a class="btn btn-primary" href="https://video.example/sessione-informativa">Rivedi la registrazione</a>'
        in html
    )
    assert "In diretta ora" not in html
    english = squeeze(client.get("/en/eventi/sessione-informativa-2020"))
    assert 'href="https://video.example/sessione-informativa">' in english


def test_before_the_recording_is_set_the_channel_is_not_called_a_recording(client, at):
    """The stream's link leads to the Comune's channel: it is named as such, not as the recording."""
    at(COURSE_RUNNING)
    html = squeeze(client.get(URL))
    assert "Rivedi la registrazione" not in html
    assert "La registrazione non è ancora pubblicata su questa pagina." in html
    assert '<a href="https://www.youtube.com/user/comunemilano">Cercala sul canale della diretta</a>' in html
    english = squeeze(client.get("/en/eventi/sessione-informativa-2020"))
    assert "The recording is not yet published on this page." in english
    assert "Look for it on the live stream's channel" in english


def test_info_session_shortcut_leads_to_the_event(client):
    response = client.get("/en/sessione-informativa")
    assert response.headers["Location"] == "/en/eventi/sessione-informativa-2020"


def test_calendar_file_is_correct_in_rome(client):
    response = client.get(f"{URL}.ics")
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    (event,) = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2020, 6, 3, 13, 30, tzinfo=UTC)
    assert str(event["dtstart"].params["TZID"]) == "Europe/Rome"
    assert str(event["summary"]) == "Sessione informativa sul bando Crowdfunding Civico 2020"


def test_calendar_file_in_english(client):
    (event,) = icalendar.Calendar.from_ical(client.get("/en/eventi/sessione-informativa-2020.ics").data).walk("VEVENT")
    assert str(event["summary"]) == "Info session on the Crowdfunding Civico 2020 call"


def test_unknown_event_is_not_found(client):
    assert client.get("/it/eventi/nessuno").status_code == 404
    assert client.get("/it/eventi/nessuno.ics").status_code == 404
