"""Step 6: review and submit; then the receipt with the status, and withdrawal before the deadline."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import limits
from portal.blueprints.applications import bp
from portal.blueprints.applications.access import organisation_required, own_application
from portal.blueprints.applications.forms import ReviewForm, WithdrawForm
from portal.clock import now
from portal.domain import DomainError
from portal.domain.application import SECTIONS, ApplicationError
from portal.labels import SECTION_TITLES
from portal.rendering import form_page
from portal.services import mail
from portal.services.applications import applications
from portal.services.applications.applications import SubmissionError
from portal.services.places.neighbourhoods import nil_or_none

SUBMIT_PROBLEMS = {
    ApplicationError.DEADLINE_PASSED: _l(
        "Il termine per inviare le domande è scaduto il 31 luglio alle 23:59 (ora di Roma): la domanda non è stata "
        "inviata. La bozza resta salvata."
    ),
    SubmissionError.INCOMPLETE: _l("Completa tutte le sezioni prima di inviare la domanda."),
    SubmissionError.DECLARATIONS: _l("Conferma tutte le dichiarazioni prima di inviare la domanda."),
}


def _summary_context(application) -> dict:
    return {
        "application": application,
        "states": applications.section_states(application),
        "sections": SECTIONS,
        "titles": SECTION_TITLES,
        "split": application.funding_split,
        "nil": nil_or_none(application.nil_id),
    }


@bp.route("/<int:application_id>/riepilogo", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def review(application_id: int):
    application = own_application(application_id)
    if not application.is_editable:
        return redirect(url_for("applications.receipt", application_id=application.id))
    form = ReviewForm()
    problem = None
    if form.validate_on_submit():
        try:
            applications.submit(application.id, now(), declarations_accepted=True)
        except DomainError as error:
            if error.code == SubmissionError.ALREADY_SUBMITTED:
                return redirect(url_for("applications.receipt", application_id=application.id))
            problem = str(SUBMIT_PROBLEMS[error.code])
        else:
            mail.deliver_now_if_immediate(now())
            flash(_("Domanda inviata. Ti abbiamo mandato la ricevuta per e-mail."), "success")
            return redirect(url_for("applications.receipt", application_id=application.id))
    return form_page(
        "applications/review.html",
        form,
        problem is not None,
        problem=problem,
        ready=applications.first_incomplete(application) is None,
        **_summary_context(application),
    )


@bp.route("/<int:application_id>/ricevuta", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def receipt(application_id: int):
    """The printable receipt and the status page; the withdrawal form while it is allowed."""
    application = own_application(application_id)
    if application.is_editable:
        return redirect(url_for("applications.tasks", application_id=application.id))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            applications.withdraw(application.id, now())
        except DomainError:
            flash(_("La domanda non può più essere ritirata."), "warning")
        else:
            mail.deliver_now_if_immediate(now())
            flash(_("Domanda ritirata. Ti abbiamo mandato una conferma per e-mail."), "success")
        return redirect(url_for("applications.receipt", application_id=application.id))
    return form_page(
        "applications/receipt.html",
        form,
        False,
        can_withdraw=application.is_withdrawable(now()),
        **_summary_context(application),
    )
