"""Step 5: PDF attachments — upload, list, download (organisation and staff only), remove."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from flask import abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm

from portal import limits, upload_messages
from portal.blueprints.applications import bp
from portal.blueprints.applications.access import organisation_required, own_application, viewable_attachment
from portal.blueprints.applications.forms import AttachmentForm
from portal.clock import now
from portal.domain import DomainError
from portal.domain.application import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, ApplicationError
from portal.rendering import form_page
from portal.services import uploads
from portal.services.applications import attachments as attachment_service
from portal.services.applications.applications import SubmissionError
from portal.services.applications.attachments import AttachmentError

PROBLEMS = {
    **upload_messages.UPLOAD_PROBLEMS,
    AttachmentError.TOO_MANY: _l("Puoi caricare al massimo %(limit)d allegati: elimina quelli che non servono"),
    SubmissionError.NOT_EDITABLE: _l("La domanda non può più essere modificata."),
    ApplicationError.DEADLINE_PASSED: _l(
        "Il termine per le domande è scaduto: la bozza non può più essere modificata."
    ),
}


@bp.route("/<int:application_id>/allegati", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def allegati(application_id: int):
    application = own_application(application_id)
    if not application.is_editable:
        return redirect(url_for("applications.receipt", application_id=application.id))
    form = AttachmentForm()
    if form.validate_on_submit():
        try:
            filename, content = upload_messages.one_file()
            attachment_service.add(application, filename, content, now())
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
        max_mb=MAX_ATTACHMENT_BYTES // (1024 * 1024),
        delete_form=FlaskForm(),
    )


@bp.get("/<int:application_id>/allegati/<int:attachment_id>")
@login_required
def download(application_id: int, attachment_id: int):
    """Always a download, never shown in the browser: a PDF opened inside the portal's origin could
    run what a PDF viewer runs."""
    attachment = viewable_attachment(application_id, attachment_id)
    path = uploads.path_of(attachment.storage_key)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/pdf", as_attachment=True, max_age=0)
    response.headers["Content-Disposition"] = _as_attachment(uploads.display_name(attachment.filename))
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _as_attachment(name: str) -> str:
    """Content-Disposition for a download (RFC 6266): the exact name as `filename*` in UTF-8,
    and a plain ASCII `filename` for the clients that know no other."""
    ascii_name = uploads.display_name(unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode())
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"


@bp.post("/<int:application_id>/allegati/<int:attachment_id>/elimina")
@limits.signed_in_writes
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
