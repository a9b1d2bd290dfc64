"""The seats taken are stored on the event (`Event.confirmed_seats`), so pages read them without
counting registrations: after every kind of change of a registration's status (sign-up, sign-up from
the personal page, cancellation and the promotion it causes, staff changing the seats, the
anonymisation of old registrants) the stored number is the number of confirmed registrations, and
never more than the seats. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from portal.domain import DomainError
from portal.domain.registration import RegistrationStatus
from portal.extensions import db
from portal.models import AuditEntry, Event, OutboxMessage, Registrant, Registration, ReminderSent, Role, User
from portal.services.accounts import accounts
from portal.services.courses import event_admin, registrations, reminders
from tests.registrations import lesson_ids, sign_up

NOW = datetime(2020, 6, 10, 8, 0, tzinfo=UTC)  # before the course: every lesson takes registrations
PEOPLE = [f"p{n}@example.org" for n in range(6)]


def stored_and_counted(event_ids: list[int]) -> dict[int, tuple[int, int, int | None]]:
    """Per event: (stored seats taken, confirmed registrations counted, capacity)."""
    db.session.expire_all()
    result = {}
    for event in db.session.scalars(db.select(Event).where(Event.id.in_(event_ids))):
        counted = db.session.scalar(
            db.select(db.func.count()).where(
                Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
            )
        )
        result[event.id] = (event.confirmed_seats, counted, event.capacity)
    return result


@pytest.fixture
def staff_id(app) -> int:
    with app.app_context():
        user = accounts.create_user("giulia@comune.milano.example", "Giulia", "una password lunga 1", Role.STAFF, NOW)
        db.session.commit()
        return user.id


def test_the_stored_count_follows_every_change_of_status(app, staff_id):
    lessons = lesson_ids(app)[:3]

    class Seats(RuleBasedStateMachine):
        @initialize()
        def fresh(self):
            self.ctx = app.app_context()
            self.ctx.push()
            for model in (ReminderSent, Registration, OutboxMessage, Registrant, AuditEntry):
                db.session.execute(db.delete(model))
            db.session.execute(db.update(Event).where(Event.id.in_(lessons)).values(capacity=2, confirmed_seats=0))
            db.session.commit()

        def teardown(self):
            db.session.remove()
            self.ctx.pop()

        def _person(self, email: str) -> Registrant | None:
            return db.session.scalars(db.select(Registrant).filter_by(email=email)).one_or_none()

        @rule(person=st.sampled_from(PEOPLE), chosen=st.sets(st.sampled_from(lessons), min_size=1))
        def sign_up_on_the_form(self, person, chosen):
            registrations.register(registrations.SignUp("Persona", person, None, "it", tuple(chosen)), NOW)

        @rule(person=st.sampled_from(PEOPLE), lesson=st.sampled_from(lessons))
        def add_a_lesson_from_the_personal_page(self, person, lesson):
            registrant = self._person(person)
            if registrant is not None:
                registrations.register_more(registrant, (lesson,), NOW)

        @rule(person=st.sampled_from(PEOPLE), lesson=st.sampled_from(lessons))
        def cancel(self, person, lesson):
            registrant = self._person(person)
            if registrant is None:
                return
            held = db.session.scalars(
                db.select(Registration.id).filter_by(registrant_id=registrant.id, event_id=lesson)
            ).one_or_none()
            if held is not None:
                registrations.cancel(registrant, held, NOW)

        @rule(lesson=st.sampled_from(lessons), capacity=st.one_of(st.none(), st.integers(0, 5)))
        def staff_change_the_seats(self, lesson, capacity):
            actor = db.session.get(User, staff_id)
            settings_ = event_admin.EventSettings(capacity, None, None, None)
            try:
                event_admin.update_event(lesson, settings_, actor, NOW)
            except DomainError as error:
                assert error.code == event_admin.EventAdminError.CAPACITY_BELOW_CONFIRMED

        @rule()
        def anonymise_everyone(self):
            # A retention that has already passed for everybody: the people go, their seats stay.
            reminders.anonymise_registrants(NOW, retention_days=-400)

        @invariant()
        def the_stored_seats_are_the_confirmed_registrations_within_the_capacity(self):
            for stored, counted, capacity in stored_and_counted(lessons).values():
                assert stored == counted
                assert capacity is None or stored <= capacity

    Seats.TestCase.settings = settings(
        max_examples=30,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    Seats.TestCase().runTest()


def test_a_cancelled_seat_goes_to_the_first_waiting_and_the_count_stays(app, client, at):
    at("2020-06-10T10:00:00+02:00")
    first = lesson_ids(app)[0]
    with app.app_context():
        db.session.get(Event, first).capacity = 1
        db.session.commit()
    sign_up(client, [first], email="anna@example.org")
    sign_up(client, [first], email="bruno@example.org")
    with app.app_context():
        assert stored_and_counted([first])[first] == (1, 1, 1)
        anna = db.session.scalars(db.select(Registrant).filter_by(email="anna@example.org")).one()
        seat = db.session.scalars(db.select(Registration).filter_by(registrant_id=anna.id)).one()
        registrations.cancel(anna, seat.id, NOW)
        assert stored_and_counted([first])[first] == (1, 1, 1)  # Bruno moved up
        bruno = db.session.scalars(db.select(Registrant).filter_by(email="bruno@example.org")).one()
        assert db.session.scalars(db.select(Registration.status).filter_by(registrant_id=bruno.id)).one() is (
            RegistrationStatus.CONFIRMED
        )
    page = client.get("/it/calendario").get_data(as_text=True)
    assert "Posti esauriti" in page  # read from the stored count
