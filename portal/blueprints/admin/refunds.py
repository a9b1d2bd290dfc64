"""Staff's refunds: every refund by status, the SEPA file for the bank transfers, the bank's
confirmation, and a failed card refund asked again."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from portal import limits
from portal.blueprints.admin import bp
from portal.clock import now
from portal.domain import DomainError
from portal.extensions import db
from portal.models import RefundRoute, RefundStatus, SepaBatch
from portal.services import mail
from portal.services.payments import payments, refunds, sepa
from portal.services.payments.payments import LatePaymentError
from portal.services.payments.sepa import SepaError

STATUS = {
    RefundStatus.FAILED: _l("Non riusciti"),
    RefundStatus.DUE: _l("Da eseguire"),
    RefundStatus.AWAITING_IBAN: _l("In attesa dell'IBAN del sostenitore"),
    RefundStatus.REQUESTED: _l("Richiesti (al fornitore o alla banca)"),
    RefundStatus.DONE: _l("Eseguiti"),
}
ROUTES = {
    RefundRoute.PROVIDER: _l("Carta, tramite il fornitore"),
    RefundRoute.BANK_TRANSFER: _l("Bonifico SEPA"),
}
LATE_REFUSALS = {
    LatePaymentError.SETTLED: _l(
        "Questo pagamento era già stato confermato o rimborsato: la pagina mostra il suo stato attuale."
    ),
    LatePaymentError.NO_PAYMENT_ID: _l(
        "Il fornitore non ha indicato l'identificativo del pagamento: rimborsalo dal pannello del fornitore."
    ),
    LatePaymentError.NOT_OPEN: _l("La campagna non accetta più sostegni: questo pagamento si può solo rimborsare."),
    LatePaymentError.AMOUNT_MISMATCH: _l(
        "L'importo pagato è diverso da quello del sostegno: questo pagamento si può solo rimborsare."
    ),
    LatePaymentError.REWARD_GONE: _l(
        "La ricompensa di questo sostegno è esaurita: questo pagamento si può solo rimborsare."
    ),
}
SEPA_REFUSALS = {
    SepaError.NOTHING_DUE: _l("Nessun rimborso con bonifico è da eseguire: il file non è stato creato."),
    SepaError.NOTHING_TO_MARK: _l("I bonifici di questo file erano già segnati come eseguiti."),
    SepaError.UNKNOWN_BATCH: _l("Questo file non esiste."),
}


@bp.get("/rimborsi")
def refunds_page():
    groups = refunds.refunds_by_status()
    return render_template(
        "admin/refunds.html",
        groups=groups,
        status_labels=STATUS,
        route_labels=ROUTES,
        sepa_due=[r for r in groups[RefundStatus.DUE] if not r.route.through_provider],
        batches=sepa.recent_batches(),
        late_payments=payments.late_payments(now()),
        form=FlaskForm(),
    )


@bp.post("/rimborsi/sepa")
@limits.signed_in_writes
def refunds_sepa():
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        batch = sepa.create_batch(current_user, now())
    except DomainError as refusal:
        flash(str(SEPA_REFUSALS[refusal.code]), "warning")
        return redirect(url_for("admin.refunds_page"))
    return redirect(url_for("admin.refunds_sepa_file", batch_id=batch.id))


@bp.get("/rimborsi/sepa/<int:batch_id>.xml")
def refunds_sepa_file(batch_id: int):
    batch = db.session.get(SepaBatch, batch_id) or abort(404)
    return Response(
        sepa.batch_file(batch),
        mimetype="application/xml",
        headers={"Content-Disposition": f'attachment; filename="{sepa.batch_filename(batch)}"'},
    )


@bp.post("/rimborsi/sepa/<int:batch_id>/eseguiti")
@limits.signed_in_writes
def refunds_sepa_done(batch_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        count = sepa.mark_batch_done(batch_id, current_user, now())
    except DomainError as refusal:
        flash(str(SEPA_REFUSALS[refusal.code]), "info")
    else:
        mail.deliver_now_if_immediate(now())
        flash(
            ngettext(
                "%(num)d rimborso segnato come eseguito: il sostenitore riceve un'e-mail.",
                "%(num)d rimborsi segnati come eseguiti: i sostenitori ricevono un'e-mail.",
                count,
            ),
            "success",
        )
    return redirect(url_for("admin.refunds_page"))


@bp.post("/rimborsi/<int:refund_id>/riprova")
@limits.signed_in_writes
def refunds_retry(refund_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        refunds.retry_now(refund_id, current_user, now())
    except DomainError:
        flash(_("Questo rimborso non è più da ritentare: la pagina mostra il suo stato attuale."), "info")
    else:
        flash(
            _("Il rimborso sarà chiesto di nuovo al fornitore dei pagamenti alla prossima esecuzione dei rimborsi."),
            "success",
        )
    return redirect(url_for("admin.refunds_page"))


@bp.post("/rimborsi/pagamenti-tardivi/<int:event_id>/rimborsa")
@limits.signed_in_writes
def refunds_late_refund(event_id: int):
    """A card payment that arrived after its pledge expired or was cancelled: give it back."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        refund = refunds.refund_late_payment(event_id, current_user, now())
    except DomainError as refusal:
        flash(str(LATE_REFUSALS[refusal.code]), "warning")
    else:
        flash(
            _(
                "Rimborso di %(reference)s aperto: sarà chiesto al fornitore dei pagamenti alla prossima "
                "esecuzione dei rimborsi.",
                reference=refund.pledge.reference,
            ),
            "success",
        )
    return redirect(url_for("admin.refunds_page"))


@bp.post("/rimborsi/pagamenti-tardivi/<int:event_id>/conferma")
@limits.signed_in_writes
def refunds_late_confirm(event_id: int):
    """A card payment that arrived after its pledge expired or was cancelled: count it after all."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        confirmed = payments.confirm_late_payment(event_id, current_user, now())
    except DomainError as refusal:
        flash(str(LATE_REFUSALS[refusal.code]), "warning")
    else:
        mail.deliver_now_if_immediate(now())
        flash(
            _("Sostegno %(reference)s confermato: conta per la campagna.", reference=confirmed.pledge.reference),
            "success",
        )
    return redirect(url_for("admin.refunds_page"))
