"""Pledging: the form while a campaign is open, and the supporter's own page with the payment instructions."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from portal import limits
from portal.blueprints.campaigns import bp, presentation
from portal.blueprints.campaigns.forms import PledgeForm
from portal.blueprints.campaigns.page import published_campaign
from portal.clock import now
from portal.domain import DomainError
from portal.domain.timeline import EventStatus, event_status
from portal.extensions import db
from portal.i18n import current_lang, money
from portal.models import Campaign, Pledge
from portal.services import mail
from portal.services.payments import payments
from portal.services.payments.payments import PledgeError


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
    form = PledgeForm(campaign)
    if form.validate_on_submit():
        request_ = payments.PledgeRequest(
            amount_cents=form.amount_cents,
            email=form.email.data,
            name=None if form.anonimo.data else form.nome.data,
            message=form.messaggio.data or None,
            reward_id=form.reward.id if form.reward else None,
            lang=current_lang(),
        )
        try:
            created = payments.create_pledge(campaign.id, request_, now())
        except DomainError as error:
            if not _refusal(form, error):
                figures = presentation.figures(campaign, now())
                return render_template("campaigns/pledge.html", campaign=campaign, figures=figures, form=None), 409
        else:
            mail.deliver_now_if_immediate(now())
            return redirect(url_for("campaigns.pledge_status", token=created.token), code=303)
    return render_template(
        "campaigns/pledge.html",
        campaign=campaign,
        figures=figures,
        form=form,
        page_has_errors=bool(form.errors),
    )


@bp.get("/sostegno/<token>")
def pledge_status(token: str):
    found = db.session.execute(
        sa.select(Pledge)
        .where(Pledge.token == token[:64])
        .options(selectinload(Pledge.campaign), selectinload(Pledge.reward))
    ).scalar_one_or_none()
    if found is None:
        abort(404)
    config = current_app.config
    html = render_template(
        "campaigns/pledge_status.html",
        pledge=found,
        campaign=found.campaign,
        figures=presentation.figures(found.campaign, now()),
        beneficiary=config["PLEDGE_BENEFICIARY"],
        iban=config["PLEDGE_IBAN"],
        bank=config["PLEDGE_BANK"],
    )
    response = make_response(html)
    # A secret link: never stored by a cache, never sent on to another site, never indexed.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
