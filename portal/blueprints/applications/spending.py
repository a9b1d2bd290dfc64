"""The organisation's spending reports for its funded campaign: the budget lines with what was
budgeted, reported and approved; the form to report an expense with its PDF receipt; the reports sent,
with their status and staff's reason. Only the organisation whose application became the campaign
(anyone else: 404)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal import limits, upload_messages
from portal.blueprints.applications import bp
from portal.blueprints.applications.access import organisation_required, own_application
from portal.clock import now
from portal.domain import DomainError
from portal.domain.application import MAX_ATTACHMENT_BYTES
from portal.form_fields import DateField, EuroField, clean
from portal.rendering import form_page
from portal.services.aftercare import spending as reports
from portal.services.aftercare.spending import SpendingError
from portal.services.uploads import UploadError

PROBLEMS = {
    SpendingError.NOT_FUNDED: _l("I rendiconti si inviano quando la campagna si è conclusa con successo."),
    SpendingError.CLOSED: _l(
        "Il rendiconto finale è già stato inviato: se il Comune lo rimanda indietro potrai inviarne uno nuovo."
    ),
    SpendingError.NOT_YOURS: _l("La campagna non è della tua organizzazione."),
}
# The problems tied to one field of the form: (field, message).
FIELD_PROBLEMS = {
    SpendingError.NOT_A_LINE: ("voce", _l("Scegli una voce del budget della domanda")),
    SpendingError.AMOUNT: ("importo", _l("L'importo deve essere maggiore di zero")),
    SpendingError.DESCRIPTION: ("descrizione", _l("Scrivi che cosa è stato pagato")),
    SpendingError.FUTURE: ("data", _l("La data della spesa non può essere nel futuro")),
}


class SpendingForm(FlaskForm):
    voce = SelectField(
        _l("Voce del budget"),
        coerce=lambda value: int(value) if str(value).isdigit() else None,
        validators=[DataRequired(_l("Scegli una voce del budget della domanda"))],
    )
    importo = EuroField(
        _l("Importo speso, in euro"),
        message=_l("Scrivi un importo in euro, ad esempio 1.500 oppure 1500,50"),
        required_message=_l("Scrivi l'importo speso"),
        minimum_cents=1,
        minimum_message=_l("L'importo deve essere maggiore di zero"),
    )
    descrizione = StringField(
        _l("Che cosa è stato pagato"),
        filters=[clean],
        validators=[
            DataRequired(_l("Scrivi che cosa è stato pagato")),
            Length(max=reports.DESCRIPTION_MAX, message=_l("Al massimo %(max)d caratteri")),
        ],
    )
    data = DateField(_l("Data della spesa"), validators=[DataRequired(_l("Scrivi la data della spesa"))])
    finale = BooleanField(_l("È il rendiconto finale: con questo le spese del progetto sono tutte rendicontate"))
    ricevuta = FileField(_l("Ricevuta o fattura in PDF"))


def _own_campaign(application_id: int):
    application = own_application(application_id)
    campaign = application.campaign or abort(404)
    return application, campaign


@bp.route("/<int:application_id>/spese", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def spending(application_id: int):
    application, campaign = _own_campaign(application_id)
    lines = reports.lines_of(campaign)
    form = SpendingForm()
    form.voce.choices = [("", _("Scegli…"))] + [(line.budget_item_id, line.description) for line in lines]
    refused = reports.refusal(campaign, now())
    if refused is None and form.validate_on_submit():
        try:
            filename, content = upload_messages.one_file()
            reports.submit_report(
                campaign.id,
                form.voce.data,
                form.importo.cents,
                form.descrizione.data,
                form.data.date,
                form.finale.data,
                filename,
                content,
                current_user,
                now(),
            )
        except DomainError as error:
            _show(form, error)
        else:
            flash(_("Rendiconto inviato: il Comune lo controllerà con la ricevuta."), "success")
            line = next(line for line in reports.lines_of(campaign) if line.budget_item_id == form.voce.data)
            if line.over_budget:
                flash(
                    _(
                        "Attenzione: per la voce «%(line)s» le spese rendicontate superano l'importo previsto nel "
                        "budget. Il Comune ne terrà conto nel controllo.",
                        line=line.description,
                    ),
                    "warning",
                )
            return redirect(url_for("applications.spending", application_id=application.id), code=303)
    return form_page(
        "applications/spending.html",
        form,
        False,
        application=application,
        campaign=campaign,
        lines=lines,
        line_names={line.budget_item_id: line.description for line in lines},
        reports=reports.reports_of(campaign.id),
        status_labels=reports.STATUS_LABELS,
        refused=PROBLEMS.get(refused) if refused else None,
        due_on=reports.final_report_due_on(campaign),
        max_mb=MAX_ATTACHMENT_BYTES // (1024 * 1024),
    )


def _show(form: SpendingForm, error: DomainError) -> None:
    """The refusal on its field, so the page shows it beside what was typed."""
    if isinstance(error.code, UploadError):
        form.ricevuta.errors = [str(upload_messages.UPLOAD_PROBLEMS[error.code]) % error.params]
    elif error.code in FIELD_PROBLEMS:
        name, message = FIELD_PROBLEMS[error.code]
        getattr(form, name).errors = [str(message)]
    else:
        form.ricevuta.errors = [str(PROBLEMS[error.code])]
