"""On PostgreSQL, concurrent sign-ups for a lesson never exceed its capacity and lose nobody."""

import threading
from datetime import UTC, datetime

import pytest

from portal.domain.registration import RegistrationStatus
from portal.extensions import db
from portal.models import Event, Registrant, Registration
from portal.services.registrations import SignUp, register

pytestmark = pytest.mark.postgres

NOW = datetime(2020, 6, 10, 8, 0, tzinfo=UTC)
PEOPLE, CAPACITY = 12, 5


def test_concurrent_sign_ups_fill_exactly_the_capacity(app):
    with app.app_context():
        lesson = db.session.scalars(db.select(Event).filter_by(slug="corso-2020-lezione-1")).one()
        lesson.capacity = CAPACITY
        db.session.commit()
        lesson_id = lesson.id
    barrier = threading.Barrier(PEOPLE)
    errors = []

    def sign_up(n: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                register(SignUp(f"Persona {n}", f"p{n}@example.org", None, "it", (lesson_id,)), NOW)
            except Exception as exc:  # noqa: BLE001 - the test reports any failure of any thread
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    with app.app_context():
        statuses = db.session.scalars(db.select(Registration.status).filter_by(event_id=lesson_id)).all()
        assert statuses.count(RegistrationStatus.CONFIRMED) == CAPACITY
        assert statuses.count(RegistrationStatus.WAITLISTED) == PEOPLE - CAPACITY
        assert db.session.scalar(db.select(db.func.count()).select_from(Registrant)) == PEOPLE


def test_the_same_person_racing_with_themselves_gets_one_registration(app):
    with app.app_context():
        lesson_id = db.session.scalars(db.select(Event.id).filter_by(slug="corso-2020-lezione-2")).one()
    barrier = threading.Barrier(6)
    errors = []

    def sign_up() -> None:
        with app.app_context():
            barrier.wait()
            try:
                register(SignUp("Anna", "anna@example.org", None, "it", (lesson_id,)), NOW)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign_up) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(Registrant)) == 1
