"""On PostgreSQL, selections made at the same moment never reserve more than the edition's budget."""

from __future__ import annotations

import pytest

from portal.domain import DomainError
from portal.extensions import db
from portal.models import Application, Edition
from portal.services.accounts import accounts
from portal.services.evaluation import selection
from tests.concurrency import run_together
from tests.panel import DECIDED_AT, STAFF, evaluated, submitted

pytestmark = pytest.mark.postgres


def test_concurrent_selections_stay_within_the_budget(app):
    ids = submitted(app, 6)
    evaluated(app, ids)
    with app.app_context():
        db.session.scalars(db.select(Edition).filter_by(year=2020)).one().budget_cents = 50_000_00  # 4 × 12.000 € fit
        db.session.commit()

    def select(application_id):
        with app.app_context():
            return selection.select(application_id, accounts.user_by_email(STAFF), DECIDED_AT)

    results, errors = run_together(app, [lambda i=i: select(i) for i in ids])
    assert len(results) == 4
    assert len(errors) == 2 and all(isinstance(e, DomainError) and e.code == "over_budget" for e in errors)
    with app.app_context():
        reserved = db.session.scalar(db.select(db.func.sum(Application.reserved_cents)))
    assert reserved == 48_000_00 <= 50_000_00
