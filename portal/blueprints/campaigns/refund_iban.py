"""The supporter's secret link to give the account a bank transfer's refund goes back to (IBAN and holder)."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from portal import limits
from portal.blueprints.campaigns import bp
from portal.clock import now
from portal.domain import DomainError
from portal.domain.refund import MAX_HOLDER_LENGTH, IbanError, masked_iban
from portal.form_fields import clean
from portal.services.payments import refunds
from portal.services.payments.refunds import RefundError

# What each refusal says, on the field it concerns.
IBAN_PROBLEMS = {
    IbanError.EMPTY: _l("Scrivi l'IBAN del conto su cui ricevere il rimborso"),
    IbanError.MALFORMED: _l(
        "Questo non è un IBAN valido: controlla di averlo copiato per intero (in Italia 27 caratteri, "
        "inizia con IT) e che non manchi né avanzi nessun carattere"
    ),
    IbanError.NOT_SEPA: _l(
        "Il rimborso è un bonifico SEPA: indica un conto di un paese dell'area SEPA (l'IBAN inizia con %(country)s)"
    ),
}
HOLDER_PROBLEMS = {
    IbanError.HOLDER_EMPTY: _l("Scrivi il nome e cognome di chi è intestatario del conto"),
    IbanError.HOLDER_TOO_LONG: _l("Al massimo %(maximum)d caratteri"),
}


class RefundAccountForm(FlaskForm):
    iban = StringField(_l("IBAN del conto"), filters=[clean])
    intestatario = StringField(_l("Intestatario del conto"), filters=[clean])


def _secret(html: str):
    response = make_response(html)
    # A secret link: never stored by a cache, never sent on to another site, never indexed.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/sostegno/<token>/rimborso", methods=["GET", "POST"])
@limits.secret_link
def refund_iban(token: str):
    refund = refunds.refund_behind_link(token)
    if refund is None:
        abort(404)
    form = RefundAccountForm() if refund.awaits_iban else None
    if form is not None and form.validate_on_submit():
        try:
            refunds.give_iban(token, form.iban.data or "", form.intestatario.data or "", now())
        except DomainError as error:
            if error.code in IBAN_PROBLEMS:
                form.iban.errors = [str(IBAN_PROBLEMS[error.code]) % error.params]
            elif error.code in HOLDER_PROBLEMS:
                form.intestatario.errors = [str(HOLDER_PROBLEMS[error.code]) % error.params]
            elif error.code == RefundError.IBAN_ALREADY_GIVEN:
                flash(_("L'IBAN per questo rimborso era già stato indicato: non è cambiato."), "info")
                return redirect(url_for("campaigns.refund_iban", token=token), code=303)
            else:
                abort(404)
        else:
            flash(_("Grazie: abbiamo ricevuto l'IBAN. Il rimborso partirà con il prossimo bonifico."), "success")
            return redirect(url_for("campaigns.refund_iban", token=token), code=303)
    html = render_template(
        "campaigns/refund_iban.html",
        refund=refund,
        pledge=refund.pledge,
        campaign=refund.pledge.campaign,
        form=form,
        masked_iban=masked_iban(refund.iban) if refund.iban else None,
        holder_max=MAX_HOLDER_LENGTH,
        page_has_errors=bool(form and form.errors),
    )
    return _secret(html)
