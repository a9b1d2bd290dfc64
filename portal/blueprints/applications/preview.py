"""The team's private preview link of its campaign, from the application area: create it, copy it,
revoke it, make a new one (services/campaigns/preview.py). Only the organisation whose application
became the campaign (anyone else: 404); once the campaign is public the page links to it instead."""

from __future__ import annotations

from enum import StrEnum

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal import limits
from portal.blueprints.applications import bp
from portal.blueprints.applications.access import organisation_required, own_application
from portal.clock import now
from portal.domain import DomainError
from portal.i18n import current_lang
from portal.services.campaigns import preview as previews
from portal.services.campaigns.preview import PreviewError
from portal.urls import absolute_url


class Action(StrEnum):
    """What the page's buttons ask (the `azione` of the form)."""

    CREATE = "crea"  # a link, or a new one in place of the current
    REVOKE = "revoca"


@bp.route("/<int:application_id>/campagna/anteprima", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def campaign_preview(application_id: int):
    application = own_application(application_id)
    campaign = application.campaign or abort(404)
    here = url_for("applications.campaign_preview", application_id=application.id)
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        action = request.form.get("azione")
        try:
            if action == Action.CREATE:
                renewed = campaign.preview_token is not None
                previews.create_preview_link(campaign.id, current_user, now())
                flash(
                    _("Nuovo link creato: quello di prima non funziona più.")
                    if renewed
                    else _("Link di anteprima creato: copialo e mandalo alle persone che vuoi."),
                    "success",
                )
            elif action == Action.REVOKE:
                if previews.revoke_preview_link(campaign.id, current_user, now()):
                    flash(_("Link revocato: chi lo apre ora trova una pagina inesistente."), "success")
            else:
                abort(400)
        except DomainError as error:
            if error.code != PreviewError.PUBLIC:
                raise
            flash(_("La campagna è già pubblica: non serve un link di anteprima."), "warning")
        return redirect(here, code=303)
    token = campaign.preview_token
    page = render_template(
        "applications/campaign_preview.html",
        application=application,
        campaign=campaign,
        public=campaign.is_public(now()),
        preview_url=absolute_url("campaigns.preview", lang=current_lang(), token=token) if token else None,
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "private, no-store"  # the page holds the secret link
    return response
