"""Staff manage a campaign's photos and video: the organisation's page, for any campaign, and
also once it is over (to take down what must go)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal import limits, upload_messages
from portal.blueprints.admin import bp
from portal.clock import now
from portal.domain import DomainError
from portal.extensions import db
from portal.models import Campaign
from portal.photo_forms import PhotoDescriptionForm, PhotoForm, VideoForm, photo_page_forms
from portal.services.campaigns import photos

PHOTO_ENDPOINTS = frozenset({"admin.campaign_photos"})


@bp.url_value_preprocessor
def _photo_requests_are_larger(endpoint, values) -> None:
    """Set before anything reads the form (CSRF's check included): only this form takes a photo."""
    if endpoint in PHOTO_ENDPOINTS and request.method == "POST":
        request.max_content_length = upload_messages.PHOTO_REQUEST_BYTES


def _campaign(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


def _page(campaign, *, upload_form=None, describe_form=None, video_form=None):
    rows = photos.photos_of(campaign.id)
    forms = photo_page_forms(
        campaign, rows, upload_form=upload_form, describe_form=describe_form, video_form=video_form
    )
    return render_template(
        "admin/photos.html",
        form=forms.failed or forms.upload,
        page_has_errors=forms.failed is not None,
        campaign=campaign,
        photos=rows,
        editable=photos.editable(campaign, current_user, now()),
        upload_form=forms.upload,
        describe_forms=forms.describe,
        video_form=forms.video,
        limits=upload_messages.photo_limits(),
    )


def _back(campaign_id: int, photo_id: int | None = None):
    url = url_for("admin.campaign_photos", campaign_id=campaign_id)
    return redirect(f"{url}#foto-{photo_id}" if photo_id else url, code=303)


def _refused(campaign_id: int, error: DomainError):
    flash(upload_messages.photo_problem(error), "warning")
    return _back(campaign_id)


@bp.route("/campagne/<int:campaign_id>/foto", methods=["GET", "POST"])
@limits.signed_in_writes
def campaign_photos(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            upload = upload_messages.one_photo("foto", required=True)
            added = photos.add_photo(
                campaign.id, upload, form.testo_alternativo.data, form.didascalia.data, current_user, now()
            )
        except DomainError as error:
            if upload_messages.photo_field(error) is None:
                return _refused(campaign.id, error)
            getattr(form, upload_messages.photo_field(error)).errors = [upload_messages.photo_problem(error)]
        else:
            flash(upload_messages.photo_added(added), "success")
            return _back(campaign.id, added.photo.id)
    return _page(campaign, upload_form=form)


@bp.post("/campagne/<int:campaign_id>/foto/<int:photo_id>/descrizione")
@limits.signed_in_writes
def campaign_photo_description(campaign_id: int, photo_id: int):
    campaign = _campaign(campaign_id)
    form = PhotoDescriptionForm(prefix=f"foto-{photo_id}")
    if not form.validate_on_submit():
        return _page(campaign, describe_form=(photo_id, form))
    try:
        photos.describe(
            photo_id, form.testo_alternativo.data, form.didascalia.data, current_user, now(), campaign_id=campaign.id
        )
    except DomainError as error:
        if upload_messages.photo_field(error) is None:
            return _refused(campaign.id, error)
        getattr(form, upload_messages.photo_field(error)).errors = [upload_messages.photo_problem(error)]
        return _page(campaign, describe_form=(photo_id, form))
    flash(_("Descrizione della foto salvata."), "success")
    return _back(campaign.id, photo_id)


@bp.post("/campagne/<int:campaign_id>/foto/<int:photo_id>/copertina")
@limits.signed_in_writes
def campaign_photo_cover(campaign_id: int, photo_id: int):
    campaign = _campaign(campaign_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        photos.make_cover(photo_id, current_user, now(), campaign_id=campaign.id)
    except DomainError as error:
        return _refused(campaign.id, error)
    flash(_("Copertina scelta: compare nella galleria e in cima alla pagina della campagna."), "success")
    return _back(campaign.id, photo_id)


@bp.post("/campagne/<int:campaign_id>/foto/<int:photo_id>/sposta")
@limits.signed_in_writes
def campaign_photo_move(campaign_id: int, photo_id: int):
    campaign = _campaign(campaign_id)
    if not FlaskForm().validate_on_submit() or request.form.get("verso") not in ("su", "giu"):
        abort(400)
    try:
        photos.move(photo_id, request.form["verso"] == "su", current_user, now(), campaign_id=campaign.id)
    except DomainError as error:
        return _refused(campaign.id, error)
    flash(_("Ordine delle foto aggiornato."), "success")
    return _back(campaign.id, photo_id)


@bp.post("/campagne/<int:campaign_id>/foto/<int:photo_id>/elimina")
@limits.signed_in_writes
def campaign_photo_remove(campaign_id: int, photo_id: int):
    campaign = _campaign(campaign_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        photos.remove(photo_id, current_user, now(), campaign_id=campaign.id)
    except DomainError as error:
        return _refused(campaign.id, error)
    flash(_("Foto eliminata."), "success")
    return _back(campaign.id)


@bp.post("/campagne/<int:campaign_id>/video")
@limits.signed_in_writes
def campaign_video(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = VideoForm()
    if not form.validate_on_submit():
        return _page(campaign, video_form=form)
    try:
        stored = photos.set_video(campaign.id, form.video.data, current_user, now())
    except DomainError as error:
        if upload_messages.photo_field(error) is None:
            return _refused(campaign.id, error)
        form.video.errors = [upload_messages.photo_problem(error)]
        return _page(campaign, video_form=form)
    flash(_("Video salvato.") if stored else _("Nessun video sulla pagina della campagna."), "success")
    return _back(campaign.id)
