"""Staff pages for payments: importing a bank statement (preview, then confirm), and a campaign's pledges."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import HiddenField

from portal import limits
from portal.blueprints.admin import bp
from portal.blueprints.admin.payment_labels import (
    FILE_PROBLEMS,
    OUTCOMES,
    PAID_VIA,
    STATUS,
    line_issue,
)
from portal.blueprints.admin.views import csv_response
from portal.clock import now
from portal.domain import DomainError
from portal.domain.bank_statement import COLUMNS, MAX_BYTES, MAX_ROWS, StatementError
from portal.domain.spreadsheet import to_csv
from portal.extensions import csrf, db
from portal.models import Campaign
from portal.services import mail
from portal.services.payments import bank_import, pledge_lists, provider_events

EXAMPLE_ROWS = (
    ("data", "importo", "causale", "id_movimento"),
    ("16/11/2020", "50,00", "Bonifico da Anna Rossi - CC2020-7K3M9Q2X-9 Lab Barona", "0001234567"),
    ("16/11/2020", "1.250,00", "Donazione CC2020 00000000 V", "0001234568"),
    ("17/11/2020", "-12,50", "Commissioni bancarie", "0001234569"),
)


class StatementForm(FlaskForm):
    estratto = FileField(_l("File dell'estratto conto (CSV)"))


class ConfirmForm(FlaskForm):
    estratto = HiddenField()


def _import_page(form: StatementForm | None = None, status: int = 200):
    form = StatementForm() if form is None else form
    return render_template(
        "admin/payments/import.html",
        form=form,
        columns=COLUMNS,
        max_mb=MAX_BYTES // (1024 * 1024),
        max_rows=format_number(MAX_ROWS),
        imports=bank_import.recent_imports(),
        attention=provider_events.needing_attention(),
        outcomes=OUTCOMES,
        page_has_errors=bool(form.errors),
    ), status


def _refuse(form: StatementForm, message: str):
    form.estratto.errors = [message]
    return _import_page(form)


@bp.get("/pagamenti")
def payments():
    return _import_page()


# CSRF is checked by the form itself, after the upload is read: a file over the request size
# limit then gets this page with its message instead of a bare error.
@bp.post("/pagamenti")
@limits.signed_in_writes
@csrf.exempt
def payments_preview():
    try:
        sent = [upload for _, upload in request.files.items(multi=True)]
    except RequestEntityTooLarge:
        if request.headers.get("HX-Request") == "true":
            raise  # the portal's answer to a request too large, which htmx follows (portal/errors.py)
        return _refuse(
            StatementForm(formdata=None), str(FILE_PROBLEMS[StatementError.TOO_LARGE]) % {"mb": MAX_BYTES // 2**20}
        )
    form = StatementForm()
    if not form.validate_on_submit():
        abort(400)
    if len(sent) > 1:
        return _refuse(form, _("Carica un solo estratto conto alla volta: nessun file è stato letto."))
    upload = request.files.get("estratto")
    if upload is None or not upload.filename:
        return _refuse(form, _("Scegli il file dell'estratto conto."))
    content = upload.stream.read(MAX_BYTES + 1)
    try:
        preview = bank_import.preview(content)
    except DomainError as problem:
        return _refuse(form, _file_problem(problem))
    stored, token = bank_import.store(content, upload.filename, (r.transaction_id for r in preview.report.matched))
    return render_template(
        "admin/payments/preview.html",
        filename=stored.filename,
        preview=preview,
        issues=[(issue.line, line_issue(issue)) for issue in preview.statement.errors],
        confirm_form=ConfirmForm(formdata=None, estratto=token),
        status_labels=STATUS,
    )


def _file_problem(problem: DomainError) -> str:
    if problem.code not in FILE_PROBLEMS:
        return _("Il file non si può leggere come estratto conto.")
    params = {"mb": MAX_BYTES // 2**20, "line": "?", **problem.params}
    if "columns" in params:
        params["columns"] = ", ".join(params["columns"])
    return str(FILE_PROBLEMS[problem.code]) % params


@bp.post("/pagamenti/conferma")
@limits.signed_in_writes
def payments_confirm():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        stored, content = bank_import.load(form.estratto.data or "")
        result = bank_import.apply(stored, content, current_user, now())
    except DomainError:
        return _refuse(
            StatementForm(formdata=None),
            _("Il file non è più disponibile (già importato o caricato da più di un giorno): caricalo di nuovo."),
        )
    mail.deliver_now_if_immediate(now())
    campaigns = db.session.scalars(
        db.select(Campaign).where(Campaign.id.in_({row.campaign_id for row in result.applied}))
    ).all()
    return render_template("admin/payments/result.html", result=result, campaigns=campaigns, outcomes=OUTCOMES)


@bp.get("/pagamenti/esempio.csv")
def payments_example():
    lines = "\r\n".join(";".join(f'"{cell}"' if ";" in cell else cell for cell in row) for row in EXAMPLE_ROWS)
    return csv_response(lines + "\r\n", "estratto-conto-esempio.csv")


@bp.get("/campagne/<int:campaign_id>/sostegni")
def campaign_pledges(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    return render_template(
        "admin/payments/pledges.html",
        campaign=campaign,
        groups=pledge_lists.pledges_by_status(campaign),
        status_labels=STATUS,
        via_labels=PAID_VIA,
        moment=now(),
    )


@bp.get("/campagne/<int:campaign_id>/sostegni.csv")
def campaign_pledges_csv(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    header = (
        _("Riferimento"),
        _("Stato"),
        _("Importo (euro)"),
        _("Nome"),
        _("E-mail"),
        _("Ricompensa"),
        _("Data del sostegno (ora di Roma)"),
        _("Confermato il"),
        _("Pagato con"),
        _("Id del pagamento"),
        _("Annullato il"),
        _("Messaggio"),
    )
    groups = pledge_lists.pledges_by_status(campaign)
    rows = pledge_lists.csv_rows(groups, STATUS, PAID_VIA, _("anonimo"))
    return csv_response(to_csv(header, rows), f"sostegni-{campaign.slug}.csv")
