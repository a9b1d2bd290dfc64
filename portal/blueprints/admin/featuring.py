"""Staff feature a campaign from its page, or stop featuring it (`services/campaigns/featuring.py`)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal import limits
from portal.blueprints.admin import bp
from portal.clock import now
from portal.domain import DomainError
from portal.domain.gallery import FeaturingError
from portal.extensions import db
from portal.models import Campaign
from portal.services.campaigns import featuring


@bp.app_template_global("campaign_featuring")
def campaign_featuring(campaign: Campaign) -> featuring.Featuring:
    """For templates/admin/_campaign_featured.html, on the staff campaign page."""
    return featuring.featuring_of(campaign, now())


@bp.app_template_global("featuring_refusal")
def featuring_refusal(code: FeaturingError) -> str:
    return _refusal(code)


def _refusal(code: FeaturingError) -> str:
    return {
        FeaturingError.NOT_PUBLISHED: _("Si mette in evidenza solo una campagna pubblicata: pubblicala prima."),
        FeaturingError.OVER: _("La campagna è conclusa: non si mette più in evidenza."),
        FeaturingError.ALREADY_FEATURED: _("La campagna era già in evidenza."),
        FeaturingError.NOT_FEATURED: _("La campagna non era in evidenza."),
    }[code]


def _change(campaign_id: int, action, done: str):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        action(campaign, current_user, now())
    except DomainError as error:
        flash(_refusal(error.code), "warning")
    else:
        flash(done, "success")
    return redirect(url_for("admin.campaign", campaign_id=campaign.id, _anchor="evidenza"))


@bp.post("/campagne/<int:campaign_id>/evidenza")
@limits.signed_in_writes
def feature_campaign(campaign_id: int):
    return _change(
        campaign_id, featuring.feature, _("Campagna in evidenza: appare per prima mentre raccoglie donazioni.")
    )


@bp.post("/campagne/<int:campaign_id>/evidenza/togli")
@limits.signed_in_writes
def unfeature_campaign(campaign_id: int):
    return _change(campaign_id, featuring.unfeature, _("La campagna non è più in evidenza."))
