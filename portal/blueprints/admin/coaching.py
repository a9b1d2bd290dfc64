"""Staff create coach accounts and give each campaign its coach (or change it, or remove it)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from portal import limits
from portal.blueprints.admin import bp
from portal.blueprints.admin.forms import InviteForm
from portal.clock import now
from portal.domain import DomainError
from portal.extensions import db
from portal.models import Campaign
from portal.rendering import form_page
from portal.services import mail
from portal.services.campaigns import coaching
from portal.services.campaigns.coaching import CoachingError

NO_COACH = ""


@bp.route("/coach", methods=["GET", "POST"])
@limits.signed_in_writes
def coaches():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            coaching.invite_coach(form.email.data, form.nome.data, current_user, now())
        except DomainError:
            form.email.errors = [_("Esiste già un account con questo indirizzo")]
        else:
            mail.deliver_now_if_immediate(now())
            flash(_("Invito inviato a %(email)s.", email=form.email.data), "success")
            return redirect(url_for("admin.coaches"), code=303)
    accounts = coaching.coaches()
    campaigns = coaching.campaigns_by_coach([account.id for account in accounts])
    return form_page("admin/coaches.html", form, False, accounts=accounts, campaigns=campaigns)


class CoachForm(FlaskForm):
    coach = SelectField(_l("Coach"), validate_choice=False)


def _choices() -> list[SelectChoice]:
    return [SelectChoice(NO_COACH, _("Nessun coach"))] + [
        SelectChoice(str(account.id), f"{account.name} ({account.email})") for account in coaching.coaches()
    ]


def _coach_id(chosen: str | None) -> int | None:
    """The account chosen; "" is no coach. A form without the field, or a value no account has,
    becomes an id no account has: refused by the service as not a coach."""
    if chosen == NO_COACH:
        return None
    if not chosen or not chosen.isdecimal() or len(chosen) > 12:  # never a number the database refuses
        return -1
    return int(chosen)


@bp.route("/campagne/<int:campaign_id>/coach", methods=["GET", "POST"])
@limits.signed_in_writes
def campaign_coach(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    form = CoachForm()
    form.coach.choices = _choices()
    if not form.is_submitted():
        form.coach.data = str(campaign.coach_id) if campaign.coach_id else NO_COACH
    elif form.validate():
        try:
            coaching.assign_coach(campaign.id, _coach_id(form.coach.data), current_user, now())
        except DomainError as error:
            if error.code is CoachingError.CAMPAIGN_OVER:
                form.coach.errors = [_("La campagna è conclusa: non si assegna più un coach.")]
            else:
                form.coach.errors = [_("Scegli uno dei coach dell'elenco")]
        else:
            mail.deliver_now_if_immediate(now())
            flash(_("Coach della campagna aggiornato."), "success")
            return redirect(url_for("admin.campaign", campaign_id=campaign.id), code=303)
    return form_page("admin/campaign_coach.html", form, False, campaign=campaign)
