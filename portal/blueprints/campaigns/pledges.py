"""Pledging: the form while a campaign is open; paying by card through the provider's hosted page;
the supporter's own page, which says where the payment stands (and asks again, with htmx, while a
card payment is being confirmed)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal import limits
from portal.blueprints.campaigns import bp, presentation
from portal.blueprints.campaigns.forms import PledgeForm
from portal.blueprints.campaigns.page import published_campaign
from portal.blueprints.campaigns.transfer import awaits_bank_transfer
from portal.clock import now
from portal.domain import DomainError
from portal.domain.checkout import PaymentStage, payment_stage
from portal.domain.pledge import PaymentMethod
from portal.domain.timeline import EventStatus, event_status
from portal.extensions import db
from portal.i18n import current_lang, money
from portal.models import Campaign, Pledge
from portal.rendering import render_page
from portal.services import mail
from portal.services.payments import checkout, payments, providers
from portal.services.payments.payments import PledgeError

# What the supporter's page calls each stage of the payment.
STAGE_TITLES = {
    PaymentStage.AWAITING_TRANSFER: _l("In attesa del pagamento"),
    PaymentStage.CARD_NOT_STARTED: _l("Pagamento con carta non avviato"),
    PaymentStage.CARD_CONFIRMING: _l("Stiamo ricevendo la conferma del pagamento"),
    PaymentStage.CARD_NOT_COMPLETED: _l("Pagamento con carta non completato"),
    PaymentStage.CONFIRMED: _l("Pagamento ricevuto"),
    PaymentStage.CANCELLED: _l("Sostegno annullato"),
    PaymentStage.EXPIRED: _l("Sostegno scaduto"),
    PaymentStage.REFUND_DUE: _l("Rimborso in corso"),
    PaymentStage.REFUNDED: _l("Rimborsato"),
}


def _is_open(campaign: Campaign) -> bool:
    return event_status(campaign.starts_at, campaign.ends_at, now()) is EventStatus.LIVE


def _refusal(form: PledgeForm, error: DomainError) -> bool:
    """A refusal of the service shown on the form; False when the campaign is no longer open."""
    if error.code == PledgeError.NOT_OPEN:
        return False
    if error.code == PledgeError.BELOW_REWARD:
        form.importo.errors = [
            _("Per questa ricompensa il sostegno minimo è di %(min)s", min=money(error.params["minimum"]))
        ]
    elif error.code == PledgeError.REWARD_GONE:
        form.ricompensa.errors = [_("Questa ricompensa è appena finita: scegline un'altra o sostieni senza ricompensa")]
    elif error.code == PledgeError.REWARD_UNKNOWN:
        form.ricompensa.errors = [_("Scegli una ricompensa tra quelle elencate")]
    else:
        form.importo.errors = [_("Controlla l'importo e riprova")]
    return True


@bp.route("/progetti/<slug>/sostieni", methods=["GET", "POST"])
@limits.pledge
def pledge(slug: str):
    campaign = published_campaign(slug, with_content=True)
    figures = presentation.figures(campaign, now())
    if not _is_open(campaign):
        status = 409 if request.method == "POST" else 200
        return render_template("campaigns/pledge.html", campaign=campaign, figures=figures, form=None), status
    form = PledgeForm(campaign, card=providers.card_payments_enabled())
    if form.validate_on_submit():
        request_ = payments.PledgeRequest(
            amount_cents=form.amount_cents,
            email=form.email.data,
            name=None if form.anonimo.data else form.nome.data,
            message=form.messaggio.data or None,
            reward_id=form.reward.id if form.reward else None,
            lang=current_lang(),
            method=form.method,
            codice_fiscale=form.codice_fiscale.data,
            follow=form.segui.data,
            newsletter=form.newsletter.data,
        )
        try:
            if form.method is PaymentMethod.CARD:
                started = checkout.pledge_by_card(campaign.id, request_, now())
                created, to = started.pledge, started.checkout_url
            else:
                created, to = payments.create_pledge(campaign.id, request_, now()), None
        except DomainError as error:
            if not _refusal(form, error):
                figures = presentation.figures(campaign, now())
                return render_template("campaigns/pledge.html", campaign=campaign, figures=figures, form=None), 409
        else:
            mail.deliver_now_if_immediate(now())
            # To the provider's hosted page; without a checkout, to the page that says it did not start.
            return redirect(to or url_for("campaigns.pledge_status", token=created.token), code=303)
    return render_template(
        "campaigns/pledge.html",
        campaign=campaign,
        figures=figures,
        form=form,
        page_has_errors=bool(form.errors),
    )


def _pledge_or_404(token: str) -> Pledge:
    found = db.session.execute(
        sa.select(Pledge)
        .where(Pledge.token == token[:64])
        .options(selectinload(Pledge.campaign), selectinload(Pledge.reward))
    ).scalar_one_or_none()
    if found is None:
        abort(404)
    return found


def _status_page(pledge: Pledge, *, not_paid: bool = False, start_failed: bool = False, status: int = 200):
    moment = now()
    stage = payment_stage(pledge.status, pledge.method, pledge.checkout_id, pledge.checkout_expires_at, moment)
    figures = presentation.figures(pledge.campaign, moment)
    response = render_page(
        "campaigns/pledge_status.html",
        ("progress",),
        status=status,
        pledge=pledge,
        campaign=pledge.campaign,
        figures=figures,
        stage=stage,
        stage_title=STAGE_TITLES[stage],
        # Returning from the provider's "Annulla", or a new attempt that did not start: no waiting.
        not_paid=not_paid and stage.card_pending,
        start_failed=start_failed and stage.card_pending,
        waiting=stage.is_waiting and not not_paid and not start_failed,
        can_pay=pledge.status.awaits_payment and pledge.campaign.takes_pledges(moment),
        card=providers.card_payments_enabled(),
        # The IBAN, reference and QR code: shown below the part screen readers announce.
        transfer_instructions=stage.awaits_transfer and awaits_bank_transfer(pledge),
    )
    # A secret link: never stored by a cache, never sent on to another site, never indexed.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/sostegno/<token>")
def pledge_status(token: str):
    """The supporter's page, and where the provider sends the person back after paying. While the
    provider's word is awaited, htmx asks for the `progress` block again every 2 seconds."""
    return _status_page(_pledge_or_404(token))


@bp.get("/sostegno/<token>/non-pagato")
def pledge_not_paid(token: str):
    """Where the provider's "Annulla" leads: the payment was not made; try again or pay by transfer."""
    return _status_page(_pledge_or_404(token), not_paid=True)


@bp.post("/sostegno/<token>/carta")
@limits.secret_link
def pledge_pay_by_card(token: str):
    """Pay a pending pledge by card (again): to the provider's hosted page, or the page saying it did not start."""
    found = _pledge_or_404(token)
    if not providers.card_payments_enabled():
        return redirect(url_for("campaigns.pledge_status", token=found.token), code=303)
    try:
        started = checkout.retry_card_payment(found.id, now())
    except DomainError:  # paid, expired or closed meanwhile: the page says which
        return redirect(url_for("campaigns.pledge_status", token=found.token), code=303)
    if started.checkout_url:
        return redirect(started.checkout_url, code=303)
    return _status_page(_pledge_or_404(token), start_failed=True, status=503)


@bp.post("/sostegno/<token>/bonifico")
@limits.secret_link
def pledge_pay_by_transfer(token: str):
    """Pay a pending card pledge by bank transfer instead: the instructions, on the page and by e-mail."""
    found = _pledge_or_404(token)
    try:
        checkout.pay_by_bank_transfer(found.id, now())
    except DomainError:
        pass  # settled meanwhile: the page says how
    else:
        mail.deliver_now_if_immediate(now())
    return redirect(url_for("campaigns.pledge_status", token=found.token), code=303)
