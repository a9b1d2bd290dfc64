"""Reminders a day and an hour before each lesson, never twice; personal data blanked after retention."""

from __future__ import annotations

from portal.clock import parse_fixed_now
from portal.extensions import db
from portal.models import Event, OutboxMessage, Registrant
from portal.services.courses.registrations import SignUp, cancel, register
from tests.pages import COURSE_AHEAD


def signed_up(app, at, email="anna@example.org", lang="it"):
    at(COURSE_AHEAD)
    with app.app_context():
        ids = tuple(db.session.scalars(db.select(Event.id).where(Event.slug.like("corso-2020-%"))))
        register(SignUp("Anna", email, None, lang, ids), parse_fixed_now(COURSE_AHEAD))


def reminder_subjects(app) -> list[str]:
    with app.app_context():
        subjects = db.session.scalars(db.select(OutboxMessage.subject).order_by(OutboxMessage.id))
        return [s for s in subjects if not s.startswith(("Iscrizione confermata", "Registration confirmed"))]


def test_a_day_before_then_an_hour_before_and_never_twice(app, at, runner):
    signed_up(app, at)
    result = runner.invoke(args=["send-reminders", "--now", "2020-06-14T17:00:00+02:00"])
    assert "Queued 1 reminders" in result.output
    runner.invoke(args=["send-reminders", "--now", "2020-06-14T17:10:00+02:00"])  # cron again: nothing new
    runner.invoke(args=["send-reminders", "--now", "2020-06-15T15:10:00+02:00"])
    runner.invoke(args=["send-reminders", "--now", "2020-06-15T15:20:00+02:00"])
    assert reminder_subjects(app) == [
        "Domani: Le opportunità del crowdfunding: come e perché progettare una campagna",
        "Tra un'ora: Le opportunità del crowdfunding: come e perché progettare una campagna",
    ]
    with app.app_context():
        body = db.session.scalars(db.select(OutboxMessage.body).order_by(OutboxMessage.id.desc())).first()
    assert "zoom.example/j/crowdfunding-civico-2020-lezione-1" in body


def test_reminders_speak_the_registrants_language(app, at, runner):
    signed_up(app, at, email="jane@example.org", lang="en")
    runner.invoke(args=["send-reminders", "--now", "2020-06-14T17:00:00+02:00"])
    assert reminder_subjects(app) == ["Tomorrow: What crowdfunding offers: how and why to design a campaign"]


def test_cancelled_registrations_get_no_reminder(app, at, runner):
    signed_up(app, at)
    with app.app_context():
        person = db.session.scalars(db.select(Registrant)).one()
        for registration in list(person.registrations):
            cancel(person, registration.id, parse_fixed_now(COURSE_AHEAD))
    runner.invoke(args=["send-reminders", "--now", "2020-06-14T17:00:00+02:00"])
    assert reminder_subjects(app) == []


def test_personal_data_is_blanked_after_the_retention_period(app, at, runner, client):
    signed_up(app, at)
    with app.app_context():
        token = db.session.scalars(db.select(Registrant.token)).one()
    at("2020-09-20T10:00:00+02:00")  # 83 days after the last lesson: kept
    assert "Anonymised 0 registrants" in runner.invoke(args=["anonymise-registrants"]).output
    at("2020-09-28T10:00:00+02:00")  # 91 days after: blanked
    assert "Anonymised 1 registrants" in runner.invoke(args=["anonymise-registrants"]).output
    with app.app_context():
        person = db.session.scalars(db.select(Registrant)).one()
        assert person.name == "—" and "anna" not in person.email and person.anonymised_at is not None
        assert len(person.registrations) == 3  # the statistics stay
    assert client.get(f"/it/iscrizioni/{token}").status_code == 404
