"""E-mail leaves through the outbox, over a real SMTP conversation; a failing server loses nothing."""

from datetime import UTC, datetime

import icalendar
import pytest

from portal.extensions import db
from portal.models import OutboxMessage
from portal.services.mail import deliver_pending, queue
from tests.smtp import SMTPServer, free_port

NOW = datetime(2020, 6, 10, 8, 0, tzinfo=UTC)
ICS = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//test//test//IT",
        "BEGIN:VEVENT",
        "UID:lesson-1@example.org",
        "DTSTAMP:20200610T080000Z",
        "DTSTART:20200615T140000Z",
        "SUMMARY:Lezione 1",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
)


@pytest.fixture
def smtp_config(app, monkeypatch):
    port = free_port()
    for key, value in {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}.items():
        monkeypatch.setitem(app.config, key, value)
    return port


def queue_one(app, subject="Iscrizione confermata"):
    with app.app_context():
        queue(
            "anna@example.org",
            subject,
            "Ciao Anna, ecco il link.",
            NOW,
            [{"filename": "corso.ics", "content_type": "text/calendar", "content": ICS}],
        )
        db.session.commit()


def test_a_queued_message_arrives_with_its_attachment_and_only_once(app, smtp_config):
    queue_one(app)
    with SMTPServer(smtp_config) as server, app.app_context():
        assert deliver_pending(NOW) == (1, 0)
        assert deliver_pending(NOW) == (0, 0)  # running it again sends nothing twice
        (received,) = server.inbox.messages
    assert received["Subject"] == "Iscrizione confermata"
    assert received["To"] == "anna@example.org"
    assert "ecco il link" in received.get_body(("plain",)).get_content()
    (attachment,) = list(received.iter_attachments())
    assert attachment.get_filename() == "corso.ics"
    event = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert str(event["summary"]) == "Lezione 1"


def test_a_failing_server_keeps_the_message_for_the_next_run(app, smtp_config):
    queue_one(app)
    with app.app_context():
        assert deliver_pending(NOW) == (0, 1)  # nobody listens on that port yet
        message = db.session.scalars(db.select(OutboxMessage)).one()
        assert message.sent_at is None and message.attempts == 1 and message.last_error
    with SMTPServer(smtp_config) as server, app.app_context():
        assert deliver_pending(NOW) == (1, 0)
        assert len(server.inbox.messages) == 1


def test_the_demo_keeps_mail_as_files_a_person_can_open(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "file")
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path))
    queue_one(app, subject="Promemoria")
    with app.app_context():
        assert deliver_pending(NOW) == (1, 0)
    (eml,) = tmp_path.glob("*.eml")
    assert "Subject: Promemoria" in eml.read_text()


def test_send_mail_command(app, runner, smtp_config):
    queue_one(app)
    with SMTPServer(smtp_config) as server:
        result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0
    assert "Sent 1 e-mails" in result.output
    assert len(server.inbox.messages) == 1
