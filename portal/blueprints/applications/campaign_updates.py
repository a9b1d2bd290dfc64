"""The organisation's updates on its campaign, posted from the application area."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import limits, upload_messages
from portal.blueprints.applications import bp
from portal.blueprints.applications.access import organisation_required, own_application
from portal.blueprints.applications.forms import CampaignUpdateForm
from portal.clock import now
from portal.domain import DomainError
from portal.rendering import form_page
from portal.services.campaigns import campaign_updates, photos
from portal.services.campaigns.campaign_updates import UpdateError

PROBLEMS = {
    UpdateError.EMPTY: lambda: _("Il testo non contiene nulla da pubblicare: scrivi del testo, non solo codice HTML."),
    UpdateError.TITLE: lambda: _("Scrivi il titolo dell'aggiornamento"),
}


@bp.route("/<int:application_id>/aggiornamenti", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def campaign_updates_page(application_id: int):
    """Only the organisation whose application became the campaign: anyone else gets 404."""
    application = own_application(application_id)
    campaign = campaign_updates.campaign_of_application(application.id) or abort(404)
    form = CampaignUpdateForm()
    if form.validate_on_submit():
        try:
            photo = upload_messages.one_photo("foto", required=False)
            campaign_updates.post_update(
                campaign.id,
                form.titolo.data,
                form.testo.data,
                current_user,
                now(),
                photo=photo,
                photo_alt=form.testo_alternativo.data,
            )
        except DomainError as error:
            if error.code in PROBLEMS:
                field = form.titolo if error.code == UpdateError.TITLE else form.testo
                field.errors = [PROBLEMS[error.code]()]
            else:  # the photo's: shown by its field, the text typed kept (the file must be chosen again)
                field = getattr(form, upload_messages.photo_field(error) or "foto")
                field.errors = [upload_messages.photo_problem(error)]
        else:
            flash(_("Aggiornamento pubblicato."), "success")
            return redirect(url_for("applications.campaign_updates_page", application_id=application.id), code=303)
    return form_page(
        "applications/campaign_updates.html",
        form,
        False,
        application=application,
        campaign=campaign,
        public=campaign.is_public(now()),
        update_photos=photos.photos_of_updates([update.id for update in campaign.updates]),
        limits=upload_messages.photo_limits(),
    )
