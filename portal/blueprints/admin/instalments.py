"""Staff pages for the grant's instalments (issue 19): where each instalment of a campaign's grant
stands, and recording one as paid (`services/aftercare/instalments.py`)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import limits
from portal.blueprints.admin import bp
from portal.blueprints.admin.forms import CONDITION_LABELS, InstalmentPaymentForm
from portal.clock import now
from portal.domain import DomainError
from portal.domain.aftercare import AftercareError
from portal.extensions import db
from portal.i18n import money
from portal.models import GrantInstalment
from portal.services.aftercare import instalments
from portal.services.aftercare.instalments import Standing

STANDING_LABELS = {
    Standing.PAID: _l("Pagata"),
    Standing.DUE: _l("Da pagare"),
    Standing.AWAITS_FINAL_REPORT: _l("Non ancora dovuta: si paga quando lo staff approva il rendiconto finale"),
    Standing.AWAITS_SUCCESS: _l("Non ancora dovuta: la campagna non si è conclusa con successo"),
}


def _refusal(error: DomainError) -> str:
    if error.code == AftercareError.ALREADY_PAID:
        return _("Questa rata era già segnata come pagata: nessun nuovo pagamento registrato.")
    if error.code == AftercareError.OVER_COMMITTED:
        return _(
            "Il pagamento porterebbe l'erogato oltre il contributo impegnato (%(committed)s): non è stato registrato.",
            committed=money(error.params["committed"]),
        )
    return _("Questa rata non è ancora dovuta: il pagamento non è stato registrato.")


def _page(campaign_id: int, posted: tuple[int, InstalmentPaymentForm] | None = None):
    try:
        found = instalments.instalments_of(campaign_id, now())
    except LookupError:
        abort(404)
    forms = {}
    for line in found.lines:
        if line.standing.is_due:
            form = posted[1] if posted and posted[0] == line.instalment.id else InstalmentPaymentForm(formdata=None)
            form.riferimento.id = f"riferimento-{line.instalment.id}"
            forms[line.instalment.id] = form
    return render_template(
        "admin/instalments.html",
        campaign=found.campaign,
        found=found,
        forms=forms,
        condition_labels=CONDITION_LABELS,
        standing_labels=STANDING_LABELS,
        page_has_errors=any(form.errors for form in forms.values()),
    )


@bp.get("/campagne/<int:campaign_id>/rate")
def campaign_instalments(campaign_id: int):
    return _page(campaign_id)


@bp.post("/campagne/<int:campaign_id>/rate/<int:instalment_id>/pagata")
@limits.signed_in_writes
def record_instalment_payment(campaign_id: int, instalment_id: int):
    instalment = db.session.get(GrantInstalment, instalment_id)
    if instalment is None or instalment.campaign_id != campaign_id:
        abort(404)
    form = InstalmentPaymentForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return _page(campaign_id, posted=(instalment_id, form))
    try:
        instalments.record_payment(instalment_id, form.riferimento.data, current_user, now())
    except DomainError as error:
        flash(_refusal(error), "warning")
    else:
        flash(_("Rata %(num)d segnata come pagata.", num=instalment.position), "success")
    return redirect(url_for("admin.campaign_instalments", campaign_id=campaign_id, _anchor="rate-caption"))
