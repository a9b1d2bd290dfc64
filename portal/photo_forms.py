"""The forms of a campaign's photo page, the same for the organisation (its area) and for staff
(the back office): the upload, each stored photo's description, the video link, and the set of
them a page shows, a refused one with its errors. The rules (formats, sizes, the alt text
required) are the photos service's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField

from portal.form_fields import clean

if TYPE_CHECKING:  # shared vocabulary imports no model at run time
    from portal.models import Campaign, CampaignPhoto


class PhotoForm(FlaskForm):
    """A photo for the campaign's page: the file, what it shows for who cannot see it, a caption."""

    foto = FileField(_l("Foto"))
    testo_alternativo = StringField(_l("Testo alternativo"), filters=[clean])
    didascalia = StringField(_l("Didascalia (facoltativa)"), filters=[clean])


class PhotoDescriptionForm(FlaskForm):
    """A stored photo's alt text and caption; one per photo on the page (each with its own prefix)."""

    testo_alternativo = StringField(_l("Testo alternativo"), filters=[clean])
    didascalia = StringField(_l("Didascalia (facoltativa)"), filters=[clean])


class VideoForm(FlaskForm):
    video = StringField(_l("Link a un video su YouTube o Vimeo (facoltativo)"), filters=[clean])


@dataclass(frozen=True)
class PhotoPageForms:
    upload: PhotoForm
    describe: dict[int, PhotoDescriptionForm]
    video: VideoForm
    failed: FlaskForm | None  # the refused form, shown with its errors (None: nothing refused)


def photo_page_forms(
    campaign: Campaign,
    rows: list[CampaignPhoto],
    *,
    upload_form: PhotoForm | None = None,
    describe_form: tuple[int, PhotoDescriptionForm] | None = None,
    video_form: VideoForm | None = None,
) -> PhotoPageForms:
    """Every form of the page, filled from the stored photos, with the one just refused (if any) in
    its place (`describe_form`: (photo id, form))."""
    forms = {}
    for photo in rows:
        form = PhotoDescriptionForm(prefix=f"foto-{photo.id}", formdata=None)
        form.testo_alternativo.data, form.didascalia.data = photo.alt_text, photo.caption
        forms[photo.id] = form
    refused_description = None
    if describe_form is not None:
        photo_id, refused_description = describe_form
        forms[photo_id] = refused_description
    if video_form is None:
        video_form = VideoForm(formdata=None)
        video_form.video.data = campaign.video_url
    upload_form = upload_form or PhotoForm(formdata=None)
    candidates = (upload_form, refused_description, video_form)
    failed = next((form for form in candidates if form is not None and form.errors), None)
    return PhotoPageForms(upload=upload_form, describe=forms, video=video_form, failed=failed)
