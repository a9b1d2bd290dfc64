"""Signing up for lessons: seats, waitlist, duplicates, the personal link, cancelling, e-mails."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import icalendar
import pytest

from portal.domain.registration import RegistrationStatus
from portal.extensions import db
from portal.models import OutboxMessage, Registration
from portal.services.mail import deliver_pending
from tests.registrations import JUNE_10, SIGN_UP_URL, csrf, lesson_ids, set_capacity, sign_up, statuses
from tests.smtp import SMTPServer, free_port

URL = SIGN_UP_URL


@pytest.fixture(autouse=True)
def _june_10(at):
    at(JUNE_10)


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def personal_link(message: OutboxMessage) -> str:
    return re.search(r"http://127\.0\.0\.1:5000(/\w\w/iscrizioni/[\w-]+)", message.body).group(1)


def test_sign_up_for_the_whole_course_in_one_form(app, client):
    response = sign_up(client, lesson_ids(app))
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert html.count("posto confermato") == 3
    assert set(statuses(app, "anna@example.org").values()) == {RegistrationStatus.CONFIRMED}
    (mail,) = outbox(app)
    assert mail.to == "anna@example.org" and mail.subject.startswith("Iscrizione confermata")
    assert mail.body.count("zoom.example/j/") == 3
    events = icalendar.Calendar.from_ical(mail.attachments[0]["content"]).walk("VEVENT")
    assert [e.decoded("dtstart").strftime("%d %H:%M") for e in events] == ["15 16:00", "22 16:00", "29 16:00"]


def test_the_join_link_is_never_on_a_public_page(app, client):
    sign_up(client, lesson_ids(app))
    for path in (
        "/it/calendario",
        "/it/calendario.ics",
        URL,
        "/it/eventi/corso-2020-lezione-1",
        "/it/bando/2020",
        "/it/",
    ):
        assert "zoom.example" not in client.get(path).get_data(as_text=True), path


def test_the_same_email_twice_creates_nothing_and_resends_the_link(app, client):
    first = lesson_ids(app)[:1]
    sign_up(client, first, email="Anna@Example.org")
    html = unescape(sign_up(client, first, email=" anna@example.org ").get_data(as_text=True))
    assert "avevi già un'iscrizione" in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 1
    second = outbox(app)[1]
    assert second.subject.startswith("Hai già un'iscrizione")
    assert personal_link(second) == personal_link(outbox(app)[0])


def test_a_full_lesson_waitlists_and_a_cancellation_promotes_the_first_in_line(app, client, at):
    lesson = lesson_ids(app)[0]
    set_capacity(app, lesson, 1)
    sign_up(client, [lesson], email="prima@example.org")
    html = unescape(sign_up(client, [lesson], email="seconda@example.org").get_data(as_text=True))
    assert "sei in lista d'attesa" in html
    sign_up(client, [lesson], email="terza@example.org")
    assert statuses(app, "seconda@example.org")["corso-2020-lezione-1"] is RegistrationStatus.WAITLISTED

    link = personal_link(outbox(app)[0])
    page = client.get(link).get_data(as_text=True)
    action = re.search(r'action="(/it/iscrizioni/[^"]+/annulla)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(action, data={"csrf_token": token}).status_code == 302

    assert statuses(app, "prima@example.org")["corso-2020-lezione-1"] is RegistrationStatus.CANCELLED
    assert statuses(app, "seconda@example.org")["corso-2020-lezione-1"] is RegistrationStatus.CONFIRMED
    assert statuses(app, "terza@example.org")["corso-2020-lezione-1"] is RegistrationStatus.WAITLISTED
    promoted = outbox(app)[-1]
    assert promoted.to == "seconda@example.org" and promoted.subject.startswith("Si è liberato un posto")


def test_registration_closes_when_the_lesson_starts(app, client, at):
    at("2020-06-15T16:00:00+02:00")
    first, second, _third = lesson_ids(app)
    html = client.get(URL).get_data(as_text=True)
    assert f'value="{first}"' not in html and f'value="{second}"' in html


def test_a_personal_link_that_does_not_exist_is_not_found(client):
    assert client.get("/it/iscrizioni/non-esiste").status_code == 404


def test_nobody_can_cancel_someone_elses_registration(app, client):
    sign_up(client, lesson_ids(app)[:1], email="anna@example.org")
    sign_up(client, lesson_ids(app)[:1], email="bruno@example.org")
    anna_link = personal_link(outbox(app)[0])
    with app.app_context():
        bruno_registration = db.session.scalars(
            db.select(Registration.id)
            .join(Registration.registrant)
            .where(db.text("registrant.email = 'bruno@example.org'"))
        ).one()
    page = client.get(anna_link).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"{anna_link}/{bruno_registration}/annulla", data={"csrf_token": token})
    assert response.status_code == 404
    assert statuses(app, "bruno@example.org")["corso-2020-lezione-1"] is RegistrationStatus.CONFIRMED


def test_errors_keep_what_was_typed_and_save_nothing(app, client):
    response = client.post(URL, data={"csrf_token": csrf(client), "nome": "Anna", "email": "non-una-email"})
    html = unescape(response.get_data(as_text=True))
    assert "Scegli almeno una lezione" in html
    assert "Scrivi un indirizzo e-mail valido" in html
    assert "Per iscriverti conferma di aver letto l'informativa sul trattamento dei dati personali" in html
    assert 'value="non-una-email"' in html and 'value="Anna"' in html
    assert outbox(app) == []


def test_the_email_speaks_english_to_english_registrants_over_real_smtp(app, client, monkeypatch):
    port = free_port()
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}.items():
        monkeypatch.setitem(app.config, key, value)
    sign_up(client, lesson_ids(app)[:1], email="jane@example.org", name="Jane", lang="en")
    with SMTPServer(port) as server, app.app_context():
        assert deliver_pending(datetime.now(UTC)) == (1, 0)
        (message,) = server.inbox.messages
    assert message["Subject"] == "Registration confirmed – Crowdfunding Civico"
    body = message.get_body(("plain",)).get_content()
    assert "Dear Jane," in body and "/en/iscrizioni/" in body
    (attachment,) = list(message.iter_attachments())
    (event,) = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert str(event["summary"]).startswith("What crowdfunding offers")
    assert event.decoded("dtstart").strftime("%H:%M") == "16:00"


def test_the_demo_delivers_at_once_to_files_a_person_can_open(app, client, monkeypatch, tmp_path):
    for key, value in {"MAIL_BACKEND": "file", "MAIL_DIR": str(tmp_path), "MAIL_DELIVER_IMMEDIATELY": True}.items():
        monkeypatch.setitem(app.config, key, value)
    sign_up(client, lesson_ids(app)[:1])
    (eml,) = tmp_path.glob("*.eml")
    assert "To: anna@example.org" in eml.read_text()


def test_the_lesson_page_shows_seats_left_and_how_to_join(app, client):
    lesson = lesson_ids(app)[0]
    set_capacity(app, lesson, 2)
    sign_up(client, [lesson])
    html = unescape(" ".join(client.get("/it/eventi/corso-2020-lezione-1").get_data(as_text=True).split()))
    assert 'Posti disponibili</dt> <dd class="col-sm-8">1</dd>' in html
    assert "ricevi per e-mail il link per partecipare su Zoom, riservato alle persone iscritte" in html
    assert "personale" not in html[html.index("Come collegarsi") :][:300]  # one Zoom link for everyone registered
    assert f"/it/calendario/iscrizione?lezione={lesson}" in html
