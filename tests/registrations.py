"""Course registrations for tests: the lessons, signing up through the public form, seats and statuses."""

from __future__ import annotations

from portal.extensions import db
from portal.models import Event, Registration
from tests.accounts import csrf_from

JUNE_10 = "2020-06-10T10:00:00+02:00"  # the course ahead, registrations open
SIGN_UP_URL = "/it/calendario/iscrizione"


def lesson_ids(app) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(db.select(Event.id).where(Event.slug.like("corso-2020-%")).order_by(Event.starts_at))
        )


def csrf(client, path=SIGN_UP_URL) -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def sign_up(client, lessons, email="anna@example.org", name="Anna Rossi", lang="it", **extra):
    data = {
        "csrf_token": csrf(client, f"/{lang}/calendario/iscrizione"),
        "lezioni": lessons,
        "nome": name,
        "email": email,
        "privacy": "y",
        **extra,
    }
    return client.post(f"/{lang}/calendario/iscrizione", data=data)


def statuses(app, email):
    with app.app_context():
        rows = db.session.execute(
            db.select(Event.slug, Registration.status)
            .join(Registration.event)
            .join(Registration.registrant)
            .where(db.text("registrant.email = :e"))
            .params(e=email)
            .order_by(Event.starts_at)
        ).all()
        return {slug: status for slug, status in rows}


def set_capacity(app, event_id, capacity):
    with app.app_context():
        db.session.get(Event, event_id).capacity = capacity
        db.session.commit()
