"""The evaluation panel for tests: submitted applications, evaluators, scores, through the services."""

from __future__ import annotations

from datetime import datetime

from portal.clock import ROME
from portal.models import Role
from portal.services.accounts import accounts
from portal.services.applications import applications, review
from portal.services.evaluation import evaluation
from tests.accounts import make_user
from tests.applicants import draft, make_applicant

SUBMITTED_AT = datetime(2020, 7, 20, 12, 0, tzinfo=ROME)
DECIDED_AT = datetime(2020, 9, 15, 10, 0, tzinfo=ROME)
STAFF = "giulia@comune.milano.example"
EVALUATORS = ("eva@comune.milano.example", "ugo@comune.milano.example", "ada@comune.milano.example")
SCORES = {"impatto": 8, "coinvolgimento": 7, "fattibilita": 9, "campagna": 6}  # weighted: 76.00


def submitted(app, count: int, *, admit: bool = True) -> list[int]:
    """`count` submitted applications of different organisations (20.000 € each), admitted to evaluation."""
    if accounts_missing(app, STAFF):
        make_user(app, STAFF, Role.STAFF)
    ids = []
    for number in range(count):
        email = f"org{number}@org.example"
        make_applicant(app, email, number)
        ids.append(draft(app, email, title=f"Progetto {number}"))
    with app.app_context():
        staff = accounts.user_by_email(STAFF)
        for application_id in ids:
            applications.submit(application_id, SUBMITTED_AT, declarations_accepted=True)
            if admit:
                review.record_admissibility(application_id, True, None, staff, SUBMITTED_AT)
    return ids


def evaluated(app, application_ids: list[int], scores=SCORES) -> None:
    """Two evaluators score every application."""
    for email in EVALUATORS[:2]:
        if accounts_missing(app, email):
            make_user(app, email, Role.EVALUATOR)
    with app.app_context():
        staff = accounts.user_by_email(STAFF)
        for email in EVALUATORS[:2]:
            evaluator = accounts.user_by_email(email)
            for application_id in application_ids:
                assignment = evaluation.assign(application_id, evaluator.id, staff, SUBMITTED_AT)
                evaluation.declare(assignment, False, None, SUBMITTED_AT)
                evaluation.submit_scores(assignment, scores, None, SUBMITTED_AT)


def accounts_missing(app, email: str) -> bool:
    with app.app_context():
        return accounts.user_by_email(email) is None
