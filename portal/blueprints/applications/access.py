"""Who may open the application area, and whose application a URL may show."""

from __future__ import annotations

from functools import wraps

from flask import abort, redirect, url_for
from flask_login import current_user

from portal.access import roles_required
from portal.extensions import db
from portal.models import Application, Assignment, Attachment, Role

applicant_required = roles_required(Role.APPLICANT)


def organisation_required(view):
    """Applicant pages that need the organisation's profile first."""

    @wraps(view)
    @applicant_required
    def wrapped(*args, **kwargs):
        if current_user.organisation_id is None:
            return redirect(url_for("applications.organisation"))
        return view(*args, **kwargs)

    return wrapped


def own_application(application_id: int) -> Application:
    """The application, if it belongs to the signed-in applicant's organisation; otherwise 404,
    so nobody learns whether someone else's application exists."""
    application = db.session.get(Application, application_id)
    if application is None or application.organisation_id != current_user.organisation_id:
        abort(404)
    return application


def viewable_attachment(application_id: int, attachment_id: int) -> Attachment:
    """An attachment for its organisation or for staff."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.application_id != application_id:
        abort(404)
    if current_user.role is Role.STAFF or _evaluates(attachment.application_id):
        return attachment
    own = current_user.role is Role.APPLICANT and attachment.application.organisation_id == current_user.organisation_id
    if not own:
        abort(404)
    return attachment


def _evaluates(application_id: int) -> bool:
    """An evaluator assigned to the application who declared no conflict of interest."""
    if current_user.role is not Role.EVALUATOR:
        return False
    return (
        db.session.scalar(
            db.select(Assignment.id).filter_by(
                application_id=application_id, evaluator_id=current_user.id, has_conflict=False
            )
        )
        is not None
    )
