"""Applications: drafts saved section by section, submission with a protocol number, withdrawal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.exc import IntegrityError

from portal.domain import DomainError
from portal.domain.application import (
    CAMPAIGN_FIELDS,
    PROJECT_FIELDS,
    SECTIONS,
    ApplicationStatus,
    BudgetLine,
    SectionState,
    check_budget,
    check_deadline,
    check_timeline,
    protocol_number,
    state_of,
)
from portal.extensions import db
from portal.models import Application, BudgetItem, Edition, ProtocolCounter, Reward, StatusChange, User
from portal.services.applications import application_mail
from portal.services.places.neighbourhoods import nil_or_none
from portal.services.transaction import transactional


class SubmissionError(StrEnum):
    """What stops an applicant saving, submitting or withdrawing (besides the deadline's
    `ApplicationError`)."""

    NOT_EDITABLE = "not_editable"
    ALREADY_SUBMITTED = "already_submitted"
    INCOMPLETE = "incomplete"  # sections not complete
    DECLARATIONS = "declarations"  # not accepted
    NOT_WITHDRAWABLE = "not_withdrawable"


ACTIVE = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_EVALUATION,
    ApplicationStatus.SELECTED,
    ApplicationStatus.NOT_SELECTED,
)


def applications_of(organisation_id: int) -> list[Application]:
    return list(
        db.session.scalars(
            db.select(Application).filter_by(organisation_id=organisation_id).order_by(Application.created_at.desc())
        )
    )


def active_application(organisation_id: int, edition: Edition) -> Application | None:
    return db.session.scalars(
        db.select(Application).where(
            Application.organisation_id == organisation_id,
            Application.edition_id == edition.id,
            Application.status.in_(ACTIVE),
        )
    ).first()


@transactional
def start(user: User, edition: Edition, now: datetime) -> Application:
    """The organisation's application to this edition: the one in progress, or a new draft.
    One per organisation and edition (a withdrawn one can be replaced)."""
    check_deadline(edition.applications_close_at, now, edition.applications_open_at)
    existing = active_application(user.organisation_id, edition)
    if existing is not None:
        return existing
    application = Application(
        edition=edition,
        organisation_id=user.organisation_id,
        created_by_id=user.id,
        status=ApplicationStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    application.history.append(StatusChange(status=ApplicationStatus.DRAFT, at=now))
    db.session.add(application)
    return application


# --- Sections: what is filled, and saving each one whole (never half a step) ---------------


def section_states(application: Application) -> dict[str, SectionState]:
    a = application
    return {
        "progetto": state_of(bool(getattr(a, name)) for name in PROJECT_FIELDS),
        "tempi": state_of((a.start_date is not None, a.end_date is not None)),
        "budget": SectionState.COMPLETE if a.budget_lines else SectionState.NOT_STARTED,
        "campagna": state_of([bool(a.rewards), *(bool(getattr(a, name)) for name in CAMPAIGN_FIELDS)]),
        "allegati": SectionState.COMPLETE if a.attachments else SectionState.NOT_STARTED,
    }


def first_incomplete(application: Application) -> str | None:
    states = section_states(application)
    return next((name for name in SECTIONS if states[name] is not SectionState.COMPLETE), None)


def check_editable(application: Application, now: datetime) -> None:
    if not application.is_editable:
        raise DomainError(SubmissionError.NOT_EDITABLE)
    edition = application.edition
    check_deadline(edition.applications_close_at, now)


def _touch(application: Application, now: datetime) -> None:
    application.updated_at = now


@transactional
def save_project(application: Application, values: dict[str, Any], now: datetime) -> None:
    check_editable(application, now)
    nil = nil_or_none(values.get("nil_id"))
    for name in PROJECT_FIELDS:
        setattr(application, name, values.get(name) or None)
    application.municipio = nil.municipio if nil else None
    _touch(application, now)


@transactional
def save_timeline(application: Application, start_date: date | None, end_date: date | None, now: datetime) -> None:
    check_editable(application, now)
    if start_date and end_date:
        check_timeline(start_date, end_date, application.edition.max_duration_months)
    application.start_date, application.end_date = start_date, end_date
    _touch(application, now)


@transactional
def save_budget(application: Application, lines: list[BudgetLine], now: datetime) -> int | None:
    """Replace the budget lines; the total is computed here and must fit the edition's maximum."""
    check_editable(application, now)
    total = check_budget(lines, application.edition.max_cost_cents) if lines else None
    application.budget_lines = [
        BudgetItem(position=i, description=line.description, category=line.category, amount_cents=line.amount_cents)
        for i, line in enumerate(lines)
    ]
    application.total_cost_cents = total
    _touch(application, now)
    return total


@dataclass(frozen=True)
class RewardDraft:
    title: str
    min_pledge_cents: int
    description: str
    quantity: int | None


@transactional
def save_campaign(
    application: Application,
    rewards: list[RewardDraft],
    communication_plan: str | None,
    team: str | None,
    now: datetime,
) -> None:
    check_editable(application, now)
    application.rewards = [
        Reward(
            position=i,
            title=r.title,
            min_pledge_cents=r.min_pledge_cents,
            description=r.description,
            quantity=r.quantity,
        )
        for i, r in enumerate(rewards)
    ]
    application.communication_plan = communication_plan or None
    application.team = team or None
    _touch(application, now)


# --- Submission -----------------------------------------------------------------------------


def _next_protocol(edition_id: int) -> int:
    """Take the edition's next number with its counter row locked: no gaps, no duplicates."""
    select = db.select(ProtocolCounter).filter_by(edition_id=edition_id).with_for_update()
    counter = db.session.scalars(select).one_or_none()
    if counter is None:
        try:
            with db.session.begin_nested():
                db.session.add(ProtocolCounter(edition_id=edition_id, last_number=0))
        except IntegrityError:
            pass
        counter = db.session.scalars(select).one()
    counter.last_number += 1
    return counter.last_number


def _locked(application_id: int) -> Application:
    """The application's row, locked until the commit, read fresh from the database."""
    application = db.session.execute(db.select(Application).filter_by(id=application_id).with_for_update()).scalar_one()
    db.session.refresh(application)
    return application


@transactional
def submit(application_id: int, now: datetime, *, declarations_accepted: bool) -> Application:
    """Send the application: complete, declarations accepted, before the deadline by the server's clock.

    The application row is locked first, so two submits of the same draft give one submission;
    the second finds it submitted (``DomainError(SubmissionError.ALREADY_SUBMITTED)``).
    """
    application = db.session.execute(db.select(Application).filter_by(id=application_id).with_for_update()).scalar_one()
    db.session.refresh(application)
    if application.status is not ApplicationStatus.DRAFT:
        raise DomainError(SubmissionError.ALREADY_SUBMITTED, protocol=application.protocol_number)
    edition = application.edition
    check_deadline(edition.applications_close_at, now)
    missing = [name for name, state in section_states(application).items() if state is not SectionState.COMPLETE]
    if missing:
        raise DomainError(SubmissionError.INCOMPLETE, sections=missing)
    if not declarations_accepted:
        raise DomainError(SubmissionError.DECLARATIONS)
    application.declarations_at = now
    sequence = _next_protocol(edition.id)
    application.protocol_seq = sequence
    application.protocol_number = protocol_number(edition.year, sequence)
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = application.updated_at = now
    application.history.append(StatusChange(status=ApplicationStatus.SUBMITTED, at=now))
    application_mail.queue_receipt(application, now)
    return application


@transactional
def withdraw(application_id: int, now: datetime) -> Application:
    """Withdraw a submitted application before the deadline; it stays on record as withdrawn."""
    application = db.session.execute(db.select(Application).filter_by(id=application_id).with_for_update()).scalar_one()
    if not application.is_withdrawable(now):
        raise DomainError(SubmissionError.NOT_WITHDRAWABLE)
    application.status = ApplicationStatus.WITHDRAWN
    application.withdrawn_at = application.updated_at = now
    application.history.append(StatusChange(status=ApplicationStatus.WITHDRAWN, at=now))
    application_mail.queue_withdrawal(application, now)
    return application
