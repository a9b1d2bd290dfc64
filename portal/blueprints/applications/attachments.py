"""Step 5: PDF attachments — upload, list, download (organisation and staff only), remove."""

from __future__ import annotations

from flask import flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm

from portal.blueprints.applications import bp
from portal.blueprints.applications.access import organisation_required, own_application, viewable_attachment
from portal.blueprints.applications.forms import AttachmentForm
from portal.clock import now
from portal.domain import DomainError
from portal.domain.application import MAX_ATTACHMENTS, ApplicationError
from portal.rendering import form_page
from portal.services import uploads
from portal.services.applications import attachments as attachment_service
from portal.services.applications.applications import SubmissionError
from portal.services.applications.attachments import AttachmentError
from portal.services.uploads import UploadError

PROBLEMS = {
    UploadError.EMPTY_FILE: _l("Scegli un file PDF da caricare"),
    UploadError.TOO_LARGE: _l("Il file è troppo grande: al massimo %(limit_mb)d MB"),
    UploadError.NOT_PDF: _l("Il file non è un PDF leggibile: salvalo come PDF (non protetto da password) e riprova"),
    AttachmentError.TOO_MANY: _l("Puoi caricare al massimo %(limit)d allegati: elimina quelli che non servono"),
    SubmissionError.NOT_EDITABLE: _l("La domanda non può più essere modificata."),
    ApplicationError.DEADLINE_PASSED: _l(
        "Il termine per le domande è scaduto: la bozza non può più essere modificata."
    ),
}


@bp.route("/<int:application_id>/allegati", methods=["GET", "POST"])
@organisation_required
def allegati(application_id: int):
    application = own_application(application_id)
    if not application.is_editable:
        return redirect(url_for("applications.receipt", application_id=application.id))
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read() if upload else b""
        try:
            attachment_service.add(application, upload.filename if upload else "", content, now())
        except DomainError as error:
            form.file.errors = [str(PROBLEMS[error.code]) % error.params]
        else:
            flash(_("Allegato caricato."), "success")
            return redirect(url_for("applications.allegati", application_id=application.id))
    return form_page(
        "applications/step_allegati.html",
        form,
        False,
        application=application,
        step="allegati",
        position=5,
        max_attachments=MAX_ATTACHMENTS,
        delete_form=FlaskForm(),
    )


@bp.get("/<int:application_id>/allegati/<int:attachment_id>")
@login_required
def download(application_id: int, attachment_id: int):
    attachment = viewable_attachment(application_id, attachment_id)
    response = send_file(
        uploads.path_of(attachment.storage_key),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<int:application_id>/allegati/<int:attachment_id>/elimina")
@organisation_required
def remove(application_id: int, attachment_id: int):
    application = own_application(application_id)
    attachment = viewable_attachment(application_id, attachment_id)
    if not FlaskForm().validate_on_submit():
        flash(_("La richiesta non è valida: ricarica la pagina e riprova."), "warning")
    else:
        try:
            attachment_service.remove(application, attachment, now())
        except DomainError as error:
            flash(str(PROBLEMS[error.code]) % error.params, "warning")
        else:
            flash(_("Allegato eliminato."), "success")
    return redirect(url_for("applications.allegati", application_id=application_id))
