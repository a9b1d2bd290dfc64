"""On PostgreSQL: one submission per draft, and protocol numbers without duplicates or gaps."""

from __future__ import annotations

from datetime import datetime

import pytest

from portal.clock import ROME
from portal.domain import DomainError
from portal.extensions import db
from portal.models import Application, OutboxMessage
from portal.services.applications.applications import submit
from tests.applicants import draft, make_applicant
from tests.concurrency import run_together

pytestmark = pytest.mark.postgres
NOW = datetime(2020, 7, 20, 12, 0, tzinfo=ROME)


def test_the_same_draft_sent_six_times_at_once_is_submitted_once(app):
    make_applicant(app, "anna@org.example")
    application_id = draft(app, "anna@org.example")
    results, errors = run_together(app, [lambda: submit(application_id, NOW, declarations_accepted=True)] * 6)
    assert len(results) == 1
    assert len(errors) == 5 and all(isinstance(e, DomainError) and e.code == "already_submitted" for e in errors)
    with app.app_context():
        assert db.session.get(Application, application_id).protocol_number == "CC2020-0001"
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 1


def test_different_drafts_sent_at_once_get_consecutive_numbers(app):
    ids = []
    for number in range(5):
        email = f"org{number}@org.example"
        make_applicant(app, email, number)
        ids.append(draft(app, email))
    results, errors = run_together(app, [lambda i=i: submit(i, NOW, declarations_accepted=True).id for i in ids])
    assert errors == [] and sorted(results) == sorted(ids)
    with app.app_context():
        numbers = sorted(db.session.scalars(db.select(Application.protocol_number)).all())
    assert numbers == [f"CC2020-{n:04d}" for n in range(1, 6)]
