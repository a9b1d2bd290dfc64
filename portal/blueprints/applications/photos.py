"""The organisation's photos and video for its campaign, from the application area: upload,
describe, choose the cover, reorder, remove. Only the organisation whose selected application became
the campaign (anyone else: 404); read-only once the campaign is over."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal import limits, upload_messages
from portal.blueprints.applications import bp
from portal.blueprints.applications.access import organisation_required, own_application
from portal.clock import now
from portal.domain import DomainError
from portal.photo_forms import PhotoDescriptionForm, PhotoForm, VideoForm, photo_page_forms
from portal.rendering import form_page
from portal.services.campaigns import campaign_updates, photos

# The forms that carry a photo: their requests may be as large as a photo (the app's limit stays
# for every other form). Set before anything reads the form, CSRF's check included.
PHOTO_ENDPOINTS = frozenset({"applications.photos_page", "applications.campaign_updates_page"})


@bp.url_value_preprocessor
def _photo_requests_are_larger(endpoint, values) -> None:
    if endpoint in PHOTO_ENDPOINTS and request.method == "POST":
        request.max_content_length = upload_messages.PHOTO_REQUEST_BYTES


def _own_campaign(application_id: int):
    application = own_application(application_id)
    campaign = campaign_updates.campaign_of_application(application.id) or abort(404)
    return application, campaign


def _page(application, campaign, *, upload_form=None, describe_form=None, video_form=None):
    """The page; a form that was refused is shown with its errors (`describe_form`: (photo id, form))."""
    rows = photos.photos_of(campaign.id)
    forms = photo_page_forms(
        campaign, rows, upload_form=upload_form, describe_form=describe_form, video_form=video_form
    )
    return form_page(
        "applications/photos.html",
        forms.failed or forms.upload,
        False,
        application=application,
        campaign=campaign,
        public=campaign.is_public(now()),
        photos=rows,
        editable=photos.editable(campaign, current_user, now()),
        upload_form=forms.upload,
        describe_forms=forms.describe,
        video_form=forms.video,
        limits=upload_messages.photo_limits(),
    )


def _back(application_id: int, photo_id: int | None = None):
    url = url_for("applications.photos_page", application_id=application_id)
    return redirect(f"{url}#foto-{photo_id}" if photo_id else url, code=303)


def _refused(application_id: int, error: DomainError):
    flash(upload_messages.photo_problem(error), "warning")
    return _back(application_id)


@bp.route("/<int:application_id>/foto", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def photos_page(application_id: int):
    application, campaign = _own_campaign(application_id)
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            upload = upload_messages.one_photo("foto", required=True)
            added = photos.add_photo(
                campaign.id, upload, form.testo_alternativo.data, form.didascalia.data, current_user, now()
            )
        except DomainError as error:
            if upload_messages.photo_field(error) is None:
                return _refused(application.id, error)
            getattr(form, upload_messages.photo_field(error)).errors = [upload_messages.photo_problem(error)]
        else:
            flash(upload_messages.photo_added(added), "success")
            return _back(application.id, added.photo.id)
    return _page(application, campaign, upload_form=form)


@bp.post("/<int:application_id>/foto/<int:photo_id>/descrizione")
@limits.signed_in_writes
@organisation_required
def photo_description(application_id: int, photo_id: int):
    application, campaign = _own_campaign(application_id)
    form = PhotoDescriptionForm(prefix=f"foto-{photo_id}")
    if not form.validate_on_submit():
        return _page(application, campaign, describe_form=(photo_id, form))
    try:
        photos.describe(
            photo_id, form.testo_alternativo.data, form.didascalia.data, current_user, now(), campaign_id=campaign.id
        )
    except DomainError as error:
        if upload_messages.photo_field(error) is None:
            return _refused(application.id, error)
        getattr(form, upload_messages.photo_field(error)).errors = [upload_messages.photo_problem(error)]
        return _page(application, campaign, describe_form=(photo_id, form))
    flash(_("Descrizione della foto salvata."), "success")
    return _back(application.id, photo_id)


@bp.post("/<int:application_id>/foto/<int:photo_id>/copertina")
@limits.signed_in_writes
@organisation_required
def photo_cover(application_id: int, photo_id: int):
    application, campaign = _own_campaign(application_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        photos.make_cover(photo_id, current_user, now(), campaign_id=campaign.id)
    except DomainError as error:
        return _refused(application.id, error)
    flash(_("Copertina scelta: compare nella galleria e in cima alla pagina della campagna."), "success")
    return _back(application.id, photo_id)


@bp.post("/<int:application_id>/foto/<int:photo_id>/sposta")
@limits.signed_in_writes
@organisation_required
def photo_move(application_id: int, photo_id: int):
    application, campaign = _own_campaign(application_id)
    if not FlaskForm().validate_on_submit() or request.form.get("verso") not in ("su", "giu"):
        abort(400)
    try:
        photos.move(photo_id, request.form["verso"] == "su", current_user, now(), campaign_id=campaign.id)
    except DomainError as error:
        return _refused(application.id, error)
    flash(_("Ordine delle foto aggiornato."), "success")
    return _back(application.id, photo_id)


@bp.post("/<int:application_id>/foto/<int:photo_id>/elimina")
@limits.signed_in_writes
@organisation_required
def photo_remove(application_id: int, photo_id: int):
    application, campaign = _own_campaign(application_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        photos.remove(photo_id, current_user, now(), campaign_id=campaign.id)
    except DomainError as error:
        return _refused(application.id, error)
    flash(_("Foto eliminata."), "success")
    return _back(application.id)


@bp.post("/<int:application_id>/video")
@limits.signed_in_writes
@organisation_required
def campaign_video(application_id: int):
    application, campaign = _own_campaign(application_id)
    form = VideoForm()
    if not form.validate_on_submit():
        return _page(application, campaign, video_form=form)
    try:
        stored = photos.set_video(campaign.id, form.video.data, current_user, now())
    except DomainError as error:
        if upload_messages.photo_field(error) is None:
            return _refused(application.id, error)
        form.video.errors = [upload_messages.photo_problem(error)]
        return _page(application, campaign, video_form=form)
    flash(_("Video salvato.") if stored else _("Nessun video sulla pagina della campagna."), "success")
    return _back(application.id)
