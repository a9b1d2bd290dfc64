"""On PostgreSQL, concurrent sign-ups for a lesson never exceed its capacity and lose nobody."""

from datetime import UTC, datetime

import pytest

from portal.domain.registration import RegistrationStatus
from portal.extensions import db
from portal.models import Event, Registrant, Registration
from portal.services.courses.registrations import SignUp, register
from tests.concurrency import run_together

pytestmark = pytest.mark.postgres

NOW = datetime(2020, 6, 10, 8, 0, tzinfo=UTC)


def at_once(app, sign_ups: list[SignUp]) -> list[Exception]:
    """Every sign-up in its own thread and session, released together; the errors, if any."""
    return run_together(app, [lambda s=s: register(s, NOW) for s in sign_ups])[1]


def lesson(app, slug: str, capacity: int) -> int:
    with app.app_context():
        event = db.session.scalars(db.select(Event).filter_by(slug=slug)).one()
        event.capacity = capacity
        db.session.commit()
        return event.id


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_concurrent_sign_ups_fill_exactly_the_capacity(app):
    people, capacity = 12, 5
    lesson_id = lesson(app, "corso-2020-lezione-1", capacity)
    sign_ups = [SignUp(f"Persona {n}", f"p{n}@example.org", None, "it", (lesson_id,)) for n in range(people)]
    assert at_once(app, sign_ups) == []
    with app.app_context():
        statuses = db.session.scalars(db.select(Registration.status).filter_by(event_id=lesson_id)).all()
    assert statuses.count(RegistrationStatus.CONFIRMED) == capacity
    assert statuses.count(RegistrationStatus.WAITLISTED) == people - capacity
    assert count(app, Registrant) == people


def test_the_same_person_racing_with_themselves_gets_one_registration(app):
    lesson_id = lesson(app, "corso-2020-lezione-2", 100)
    assert at_once(app, [SignUp("Anna", "anna@example.org", None, "it", (lesson_id,))] * 6) == []
    assert count(app, Registration) == 1
    assert count(app, Registrant) == 1
