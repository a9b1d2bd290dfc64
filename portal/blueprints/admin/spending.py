"""Staff review a campaign's spending reports: each with its receipt (a download for staff only),
approved or sent back with the reason the organisation reads."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from portal import limits
from portal.blueprints.admin import bp
from portal.clock import now
from portal.domain import DomainError
from portal.domain.aftercare import ReportStatus
from portal.extensions import db
from portal.form_fields import clean
from portal.models import Campaign, SpendingReport
from portal.services.aftercare import spending as reports
from portal.services.aftercare.spending import SpendingError

NOT_PENDING = _l("Il rendiconto è già stato controllato: la pagina mostra ora il suo stato.")


class SendBackForm(FlaskForm):
    motivo = TextAreaField(
        _l("Perché lo rimandi indietro"),
        filters=[clean],
        validators=[
            DataRequired(_l("Scrivi il motivo: l'organizzazione lo legge per correggere il rendiconto")),
            Length(max=reports.REASON_MAX, message=_l("Al massimo %(max)d caratteri")),
        ],
    )


def _send_back_form(report_id: int, **kwargs) -> SendBackForm:
    return SendBackForm(prefix=f"rendiconto-{report_id}", **kwargs)


def _page(campaign: Campaign, failed: tuple[int, SendBackForm] | None = None, status: int = 200):
    rows = reports.reports_of(campaign.id)
    lines = reports.lines_of(campaign)
    forms = {row.id: _send_back_form(row.id, formdata=None) for row in rows if row.status is ReportStatus.SUBMITTED}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return (
        render_template(
            "admin/spending.html",
            campaign=campaign,
            lines=lines,
            line_names={line.budget_item_id: line.description for line in lines},
            pending=[row for row in rows if row.status is ReportStatus.SUBMITTED],
            reviewed=[row for row in rows if row.status is not ReportStatus.SUBMITTED],
            forms=forms,
            form=failed[1] if failed else None,
            page_has_errors=failed is not None,
            status_labels=reports.STATUS_LABELS,
            due_on=reports.final_report_due_on(campaign),
        ),
        status,
    )


@bp.get("/campagne/<int:campaign_id>/spese")
def campaign_spending(campaign_id: int):
    return _page(db.session.get(Campaign, campaign_id) or abort(404))


def _report(report_id: int) -> SpendingReport:
    return db.session.get(SpendingReport, report_id) or abort(404)


def _back(report: SpendingReport):
    url = url_for("admin.campaign_spending", campaign_id=report.campaign_id)
    return redirect(f"{url}#rendiconto-{report.id}", code=303)


@bp.post("/spese/<int:report_id>/approva")
@limits.signed_in_writes
def spending_approve(report_id: int):
    report = _report(report_id)
    if not FlaskForm().validate_on_submit():
        flash(_("La richiesta non è valida: ricarica la pagina e riprova."), "warning")
        return _back(report)
    try:
        reports.approve(report.id, current_user, now())
    except DomainError:
        flash(str(NOT_PENDING), "warning")
    else:
        flash(_("Rendiconto approvato: l'organizzazione riceve un'e-mail."), "success")
    return _back(report)


@bp.post("/spese/<int:report_id>/rimanda")
@limits.signed_in_writes
def spending_send_back(report_id: int):
    report = _report(report_id)
    form = _send_back_form(report.id)
    if not form.validate_on_submit():
        return _page(db.session.get(Campaign, report.campaign_id), (report.id, form), 400)
    try:
        reports.send_back(report.id, form.motivo.data, current_user, now())
    except DomainError as error:
        if error.code is SpendingError.REASON:
            form.motivo.errors = [str(form.motivo.validators[0].message)]
            return _page(db.session.get(Campaign, report.campaign_id), (report.id, form), 400)
        flash(str(NOT_PENDING), "warning")
    else:
        flash(_("Rendiconto rimandato all'organizzazione con il motivo."), "success")
    return _back(report)


@bp.get("/spese/<int:report_id>/ricevuta")
def spending_receipt(report_id: int):
    """Always a download, never shown in the browser (a PDF opened inside the portal's origin could
    run what a PDF viewer runs); never stored by a cache (the blueprint's `private`)."""
    found = reports.receipt_file(report_id, current_user)
    if found is None:
        abort(404)
    path, name = found
    response = send_file(path, mimetype="application/pdf", as_attachment=True, download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
