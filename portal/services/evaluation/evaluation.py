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


@dataclass(frozen=True)
class ExampleCriterion:
    code: str
    label_it: str
    label_en: str
    weight: int
    max_score: int
    rubric_it: str  # one band of the 0..max_score scale a line: "0–2: …"
    rubric_en: str


# An example set, clearly labelled as such on every page that shows it (the 2020 call's own
# criteria are not in our sources); staff edit or replace it, rubrics included, per edition.
EXAMPLE_CRITERIA = (
    ExampleCriterion(
        "impatto",
        "Impatto sociale nel quartiere",
        "Social impact in the neighbourhood",
        30,
        10,
        "0–2: Benefici per il quartiere non indicati o generici.\n"
        "3–5: Benefici indicati ma poco concreti: destinatari e risultati attesi vaghi.\n"
        "6–8: Benefici concreti per destinatari definiti, con risultati attesi misurabili.\n"
        "9–10: Risponde a un bisogno documentato del quartiere, in particolare se periferico, con risultati "
        "misurabili e duraturi.",
        "0–2: Benefits for the neighbourhood missing or generic.\n"
        "3–5: Benefits stated but not concrete: vague beneficiaries and expected results.\n"
        "6–8: Concrete benefits for defined beneficiaries, with measurable expected results.\n"
        "9–10: Meets a documented need of the neighbourhood, especially an outlying one, with measurable and "
        "lasting results.",
    ),
    ExampleCriterion(
        "coinvolgimento",
        "Coinvolgimento della comunità",
        "Community involvement",
        25,
        10,
        "0–2: Nessun coinvolgimento di cittadini o realtà locali.\n"
        "3–5: Cittadini coinvolti solo come pubblico o beneficiari.\n"
        "6–8: Cittadini e realtà locali partecipano alla realizzazione, con ruoli definiti.\n"
        "9–10: La comunità partecipa dalla progettazione alla realizzazione, con partner locali che si impegnano "
        "per iscritto.",
        "0–2: No involvement of citizens or local groups.\n"
        "3–5: Citizens involved only as audience or beneficiaries.\n"
        "6–8: Citizens and local groups take part in carrying it out, with defined roles.\n"
        "9–10: The community takes part from design to delivery, with local partners committed in writing.",
    ),
    ExampleCriterion(
        "fattibilita",
        "Fattibilità e sostenibilità economica",
        "Feasibility and financial sustainability",
        25,
        10,
        "0–2: Budget, tempi o competenze mancanti o incoerenti con le attività.\n"
        "3–5: Piano realizzabile ma con costi poco dettagliati o tempi stretti; nulla dopo il finanziamento.\n"
        "6–8: Budget dettagliato e coerente, tempi realistici, competenze adeguate.\n"
        "9–10: Budget dettagliato, tempi realistici, competenze adeguate, e il progetto continua dopo la campagna "
        "(altri fondi, entrate, volontari).",
        "0–2: Budget, timing or skills missing or inconsistent with the activities.\n"
        "3–5: A workable plan but with costs in little detail or a tight schedule; nothing after the funding.\n"
        "6–8: A detailed, consistent budget, a realistic schedule, adequate skills.\n"
        "9–10: A detailed budget, a realistic schedule, adequate skills, and the project carries on after the "
        "campaign (other funds, income, volunteers).",
    ),
    ExampleCriterion(
        "campagna",
        "Qualità del piano di campagna",
        "Quality of the campaign plan",
        20,
        10,
        "0–2: Nessun piano di campagna, o un obiettivo di raccolta non motivato.\n"
        "3–5: Piano generico: pochi canali, nessun calendario, ricompense poco attraenti.\n"
        "6–8: Pubblico, canali e calendario definiti; ricompense coerenti con le donazioni.\n"
        "9–10: Piano completo: una rete di sostenitori già attiva, un calendario della comunicazione e un "
        "obiettivo realistico.",
        "0–2: No campaign plan, or a fundraising goal without reasons.\n"
        "3–5: A generic plan: few channels, no schedule, unappealing rewards.\n"
        "6–8: Audience, channels and schedule defined; rewards in line with the donations.\n"
        "9–10: A complete plan: a network of supporters already active, a communication schedule and a "
        "realistic goal.",
    ),
)


def criteria_of(edition: Edition) -> list[Criterion]:
    return list(db.session.scalars(db.select(Criterion).filter_by(edition_id=edition.id).order_by(Criterion.position)))


@transactional
def add_example_criteria(edition: Edition) -> None:
    """Give an edition the example criteria unless it has its own; safe to run twice. Example
    criteria stored before rubrics were data get the example's rubric, unless staff wrote one."""
    existing = criteria_of(edition)
    if existing:
        examples = {example.code: example for example in EXAMPLE_CRITERIA}
        for criterion in existing:
            example = examples.get(criterion.code)
            if criterion.is_example and example is not None and not criterion.rubric_it and not criterion.rubric_en:
                criterion.rubric_it, criterion.rubric_en = example.rubric_it, example.rubric_en
        return
    for position, example in enumerate(EXAMPLE_CRITERIA):
        db.session.add(
            Criterion(
                edition_id=edition.id,
                position=position,
                code=example.code,
                label_it=example.label_it,
                label_en=example.label_en,
                weight=example.weight,
                max_score=example.max_score,
                is_example=True,
                rubric_it=example.rubric_it,
                rubric_en=example.rubric_en,
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
