"""A supporter's own page, without an account: "I miei sostegni" sends a signed link by e-mail that
lists the address's pledges, each with its receipt (PDF) once one is due."""

from __future__ import annotations

from flask import abort, make_response, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from portal import limits
from portal.blueprints.campaigns import bp
from portal.clock import now
from portal.domain.pledge import PledgeStatus
from portal.form_fields import email_field
from portal.i18n import current_lang
from portal.rendering import form_page
from portal.services import mail
from portal.services.payments import receipts

# A pledge's status as its supporter reads it.
STATUS_LABELS = {
    PledgeStatus.PENDING: _l("In attesa del pagamento"),
    PledgeStatus.CONFIRMED: _l("Pagamento ricevuto"),
    PledgeStatus.CANCELLED: _l("Annullato: il pagamento non è arrivato in tempo"),
    PledgeStatus.REFUND_DUE: _l("Da rimborsare: la campagna non ha raggiunto la soglia"),
    PledgeStatus.REFUNDED: _l("Rimborsato"),
    PledgeStatus.EXPIRED: _l("Pagamento con carta non completato"),
}


class SupporterLinkForm(FlaskForm):
    email = email_field()


def _private(response):
    """A secret link or a personal document: never cached, never sent on, never indexed."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/i-miei-sostegni", methods=["GET", "POST"])
@limits.supporter_link
def supporter():
    form = SupporterLinkForm()
    if form.validate_on_submit():
        receipts.send_supporter_link(form.email.data, current_lang(), now())
        mail.deliver_now_if_immediate(now())
        # The same answer whether or not the address has pledges: nobody learns who gave.
        return form_page("campaigns/supporter.html", form, False, sent_to=receipts.normalise(form.email.data))
    return form_page("campaigns/supporter.html", form, False, sent_to=None)


@bp.get("/i-miei-sostegni/<token>")
def supporter_pledges(token: str):
    email = receipts.email_of_link(token[:500])
    if email is None:
        html = render_template("campaigns/supporter.html", form=SupporterLinkForm(), sent_to=None, expired=True)
        return _private(make_response(html, 404))
    html = render_template(
        "campaigns/supporter_pledges.html",
        email=email,
        items=receipts.supporter_pledges(email),
        status_labels=STATUS_LABELS,
    )
    return _private(make_response(html))


@bp.get("/sostegno/<token>/ricevuta.pdf")
def receipt(token: str):
    found = receipts.receipt_by_token(token)
    if found is None:
        abort(404)
    response = make_response(receipts.render_pdf(found, current_lang()))
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{receipts.receipt_filename(found)}"'
    return _private(response)
