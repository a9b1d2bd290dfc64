"""The evaluation panel: criteria per edition, assignments, conflicts of interest, scores, the ranking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from portal.domain import DomainError
from portal.domain import evaluation as rules
from portal.domain.application import ApplicationStatus
from portal.extensions import db
from portal.models import Application, Assignment, Criterion, Edition, Role, Score, User
from portal.services import audit
from portal.services.transaction import transactional


class PanelError(StrEnum):
    NOT_IN_EVALUATION = "not_in_evaluation"
    NOT_AN_EVALUATOR = "not_an_evaluator"
    ALREADY_ASSIGNED = "already_assigned"
    ALREADY_DECLARED = "already_declared"
    NOT_ALLOWED = "not_allowed"  # no declaration yet, or a conflict of interest declared
    CLOSED = "closed"  # the application is no longer in evaluation


# An example set, clearly labelled as such on every page that shows it (the 2020 call's own
# criteria are not in our sources); staff edit or replace it per edition.
EXAMPLE_CRITERIA = (
    ("impatto", "Impatto sociale nel quartiere", "Social impact in the neighbourhood", 30, 10),
    ("coinvolgimento", "Coinvolgimento della comunità", "Community involvement", 25, 10),
    ("fattibilita", "Fattibilità e sostenibilità economica", "Feasibility and financial sustainability", 25, 10),
    ("campagna", "Qualità del piano di campagna", "Quality of the campaign plan", 20, 10),
)


def criteria_of(edition: Edition) -> list[Criterion]:
    return list(db.session.scalars(db.select(Criterion).filter_by(edition_id=edition.id).order_by(Criterion.position)))


@transactional
def add_example_criteria(edition: Edition) -> None:
    """Give an edition the example criteria unless it has its own; safe to run twice."""
    if criteria_of(edition):
        return
    for position, (code, label_it, label_en, weight, max_score) in enumerate(EXAMPLE_CRITERIA):
        db.session.add(
            Criterion(
                edition_id=edition.id,
                position=position,
                code=code,
                label_it=label_it,
                label_en=label_en,
                weight=weight,
                max_score=max_score,
                is_example=True,
            )
        )


def evaluators() -> list[User]:
    return list(
        db.session.scalars(db.select(User).filter_by(role=Role.EVALUATOR, disabled_at=None).order_by(User.name))
    )


@transactional
def assign(application_id: int, evaluator_id: int, actor: User, now: datetime) -> Assignment:
    application = db.session.get(Application, application_id)
    evaluator = db.session.get(User, evaluator_id)
    if application is None or application.status is not ApplicationStatus.IN_EVALUATION:
        raise DomainError(PanelError.NOT_IN_EVALUATION)
    if evaluator is None or evaluator.role is not Role.EVALUATOR or not evaluator.is_active:
        raise DomainError(PanelError.NOT_AN_EVALUATOR)
    assignment = Assignment(application_id=application.id, evaluator_id=evaluator.id, assigned_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(assignment)
    except IntegrityError:
        raise DomainError(PanelError.ALREADY_ASSIGNED) from None
    audit.record(
        actor,
        "evaluation.assign",
        "application",
        application.id,
        now,
        label=application.protocol_number or "",
        changes={"evaluator": [None, evaluator.email]},
    )
    return assignment


def assignment_for(evaluator: User, assignment_id: int) -> Assignment | None:
    """An evaluator sees only what is assigned to them."""
    assignment = db.session.get(Assignment, assignment_id)
    return assignment if assignment is not None and assignment.evaluator_id == evaluator.id else None


@transactional
def declare(assignment: Assignment, has_conflict: bool, note: str | None, now: datetime) -> None:
    """Before seeing the application, the evaluator states any conflict of interest; with one,
    they are excluded from it for good and staff assign someone else."""
    if assignment.declared_at is not None:
        raise DomainError(PanelError.ALREADY_DECLARED)
    assignment.declared_at = now
    assignment.has_conflict = has_conflict
    assignment.conflict_note = (note or "").strip() or None
    audit.record(
        assignment.evaluator,
        "evaluation.declare",
        "application",
        assignment.application_id,
        now,
        label=assignment.application.protocol_number or "",
        changes={"conflict_of_interest": [None, has_conflict]},
    )


@transactional
def submit_scores(assignment: Assignment, scores: dict[str, int], notes: str | None, now: datetime) -> Decimal:
    if assignment.declared_at is None or assignment.has_conflict:
        raise DomainError(PanelError.NOT_ALLOWED)
    if assignment.application.status is not ApplicationStatus.IN_EVALUATION:
        raise DomainError(PanelError.CLOSED)
    criteria = criteria_of(assignment.application.edition)
    total = rules.weighted_score([rules.Criterion(c.code, c.weight, c.max_score) for c in criteria], scores)
    by_code = {c.code: c for c in criteria}
    before = {s.criterion.code: s.score for s in assignment.scores}
    assignment.scores = [
        Score(criterion=by_code[code], score=value) for code, value in scores.items() if code in by_code
    ]
    assignment.notes = (notes or "").strip() or None
    assignment.submitted_at = now
    audit.record(
        assignment.evaluator,
        "evaluation.score",
        "application",
        assignment.application_id,
        now,
        label=assignment.application.protocol_number or "",
        changes=audit.diff(before, scores),
    )
    return total


@dataclass(frozen=True)
class RankingRow:
    application: Application
    ranked: rules.RankedApplication
    active_evaluators: int


def ranking(edition: Edition) -> list[RankingRow]:
    """Every application in evaluation or decided, by average weighted score (three queries)."""
    criteria = [rules.Criterion(c.code, c.weight, c.max_score) for c in criteria_of(edition)]
    applications = {
        a.id: a
        for a in db.session.scalars(
            db.select(Application)
            .options(db.joinedload(Application.organisation))
            .where(
                Application.edition_id == edition.id,
                Application.status.in_(
                    (ApplicationStatus.IN_EVALUATION, ApplicationStatus.SELECTED, ApplicationStatus.NOT_SELECTED)
                ),
                Application.admissible.is_(True),
            )
        )
    }
    assignments = db.session.scalars(
        db.select(Assignment)
        .options(db.selectinload(Assignment.scores).joinedload(Score.criterion))
        .where(Assignment.application_id.in_(applications.keys()))
    ).all()
    totals: dict[int, list[Decimal]] = {application_id: [] for application_id in applications}
    active: dict[int, int] = dict.fromkeys(applications, 0)
    for assignment in assignments:
        if not assignment.is_active:
            continue
        active[assignment.application_id] += 1
        if assignment.submitted_at is not None and criteria:
            scores = {s.criterion.code: s.score for s in assignment.scores}
            totals[assignment.application_id].append(rules.weighted_score(criteria, scores))
    return [RankingRow(applications[r.application_id], r, active[r.application_id]) for r in rules.rank(totals)]
