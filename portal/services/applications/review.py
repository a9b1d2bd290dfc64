"""Staff reviewing applications: the filtered list, the CSV, the formal admissibility check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from portal.domain import DomainError
from portal.domain.application import ApplicationStatus
from portal.extensions import db
from portal.models import Application, Edition, Organisation, StatusChange, User
from portal.services import audit
from portal.services.evaluation import decision_mail
from portal.services.transaction import transactional


class ReviewError(StrEnum):
    NOT_SUBMITTED = "not_submitted"
    REASON_REQUIRED = "reason_required"  # an application not admissible needs the reason


REVIEWABLE = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_EVALUATION,
    ApplicationStatus.SELECTED,
    ApplicationStatus.NOT_SELECTED,
)
SORTS = {
    "protocollo": (Application.protocol_seq,),
    "costo": (Application.total_cost_cents.desc(), Application.protocol_seq),
    "titolo": (Application.title, Application.protocol_seq),
}


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    municipio: int | None = None
    theme: str | None = None
    text: str | None = None
    sort: str = "protocollo"


def submitted_applications(edition: Edition, filters: Filters) -> list[Application]:
    """The edition's submitted applications (never drafts), filtered and sorted in one query."""
    query = (
        db.select(Application)
        .join(Application.organisation)
        .options(db.contains_eager(Application.organisation))
        .where(Application.edition_id == edition.id, Application.status.in_(REVIEWABLE))
    )
    if filters.status:
        query = query.where(Application.status == ApplicationStatus(filters.status))
    if filters.municipio:
        query = query.where(Application.municipio == filters.municipio)
    if filters.theme:
        query = query.where(Application.theme == filters.theme)
    if filters.text:
        like = f"%{filters.text.strip().lower()}%"
        query = query.where(
            db.or_(
                db.func.lower(Application.title).like(like),
                db.func.lower(Organisation.name).like(like),
                db.func.lower(Application.protocol_number).like(like),
            )
        )
    return list(db.session.scalars(query.order_by(*SORTS.get(filters.sort, SORTS["protocollo"]))))


@transactional
def record_admissibility(application_id: int, admissible: bool, reason: str | None, actor: User, now: datetime) -> None:
    """The formal check: an admissible application goes to evaluation; one that is not is closed
    with its reason, and the applicant is told."""
    application = db.session.get(Application, application_id)
    if application is None or application.status is not ApplicationStatus.SUBMITTED:
        raise DomainError(ReviewError.NOT_SUBMITTED)
    if not admissible and not (reason or "").strip():
        raise DomainError(ReviewError.REASON_REQUIRED)
    before = {"status": application.status.value, "admissible": application.admissible}
    application.admissible = admissible
    application.admissibility_reason = None if admissible else reason.strip()
    application.admissibility_checked_at = now
    application.status = ApplicationStatus.IN_EVALUATION if admissible else ApplicationStatus.NOT_SELECTED
    application.history.append(StatusChange(status=application.status, at=now))
    if not admissible:
        application.decided_at = now
        decision_mail.queue_decision(application, now)
    after = {"status": application.status.value, "admissible": admissible}
    changes = audit.diff(before, after) | (
        {"reason": [None, application.admissibility_reason]} if not admissible else {}
    )
    audit.record(
        actor,
        "application.admissibility",
        "application",
        application.id,
        now,
        label=application.protocol_number or "",
        changes=changes,
    )
