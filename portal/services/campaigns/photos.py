"""A campaign's photos: reading them, and every change to them (upload, description, cover, order,
removal, the video link).

Photos live in MEDIA_DIR/photos as re-encoded variants (`portal.domain.photos`), never as the file
that was uploaded (`photo_files` decodes and writes them: nothing but the pixels reaches a visitor).
The image work happens before the campaign's row is locked; the files are deleted again if the
transaction does not commit, and a removed photo's files once it has.

The cover is copied onto the campaign (`Campaign.image_file` and its alt text and size) by
`_show_cover`, the only writer of those columns, whenever a change touches it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from flask import current_app

from portal.domain import DomainError
from portal.domain import photos as rules
from portal.domain.photos import PhotoError
from portal.extensions import db
from portal.models import Campaign, CampaignPhoto, Role, User
from portal.services import audit
from portal.services.campaigns import photo_files
from portal.services.campaigns.locking import locked_campaign
from portal.services.transaction import on_commit, transactional

FOLDER = "photos"


# --- Reading ------------------------------------------------------------------------------------


def photos_of(campaign_id: int) -> list[CampaignPhoto]:
    """The campaign's own photos (not its updates'), cover included, in their order."""
    return list(
        db.session.scalars(
            sa.select(CampaignPhoto)
            .filter_by(campaign_id=campaign_id, update_id=None)
            .order_by(CampaignPhoto.position, CampaignPhoto.id)
        )
    )


def photos_of_updates(update_ids: list[int] | tuple[int, ...] | set[int]) -> dict[int, list[CampaignPhoto]]:
    """The photos of each of these updates, in their order (an update without photos is absent)."""
    found: dict[int, list[CampaignPhoto]] = {}
    if not update_ids:
        return found
    rows = db.session.scalars(
        sa.select(CampaignPhoto)
        .where(CampaignPhoto.update_id.in_(list(update_ids)))
        .order_by(CampaignPhoto.update_id, CampaignPhoto.position, CampaignPhoto.id)
    )
    for photo in rows:
        found.setdefault(photo.update_id, []).append(photo)
    return found


def photo_folder() -> Path:
    """Where the variants are kept: MEDIA_DIR/photos, created on first use."""
    path = Path(current_app.config["MEDIA_DIR"]) / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def variant_names(photo: CampaignPhoto) -> list[str]:
    return [
        rules.variant_name(photo.key, width, fmt)
        for width in rules.variant_widths(photo.width)
        for fmt in rules.FORMATS
    ]


def editable(campaign: Campaign, actor: User, now: datetime) -> bool:
    """Whether `actor` may change the campaign's photos and video now (`domain.photos.photos_editable`)."""
    return rules.photos_editable(campaign.state(now).is_over, actor.role is Role.STAFF)


# --- An upload ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Added:
    """A photo just stored, and what the person who sent it is told about it."""

    photo: CampaignPhoto
    original_size: tuple[int, int]  # as shown, orientation applied
    reduced: bool  # wider than the widest variant: kept smaller
    first_frame: bool  # an animated image: its first frame is kept


def _delete_files_of(photo: CampaignPhoto) -> None:
    folder = photo_folder()
    names = variant_names(photo)
    on_commit(lambda: photo_files.delete([folder / name for name in names]))


# --- Changes --------------------------------------------------------------------------------------


def _campaign_for_change(campaign_id: int, actor: User, now: datetime) -> Campaign:
    """The campaign, its row locked, if `actor` may change its photos now."""
    campaign = locked_campaign(campaign_id)
    if not editable(campaign, actor, now):
        raise DomainError(PhotoError.CLOSED)
    return campaign


def _own_photo(campaign_id: int, photo_id: int) -> CampaignPhoto:
    photo = db.session.get(CampaignPhoto, photo_id, populate_existing=True)
    if photo is None or photo.campaign_id != campaign_id or photo.update_id is not None:
        raise DomainError(PhotoError.NOT_FOUND)
    return photo


def _show_cover(campaign: Campaign) -> None:
    """Copy the cover onto the campaign row (what the gallery shows without another query), or
    clear it when the campaign has no photo: the only writer of these four columns."""
    cover = db.session.scalars(
        sa.select(CampaignPhoto).filter_by(campaign_id=campaign.id, update_id=None, is_cover=True)
    ).one_or_none()
    campaign.image_file = cover.key if cover else None
    campaign.image_alt = cover.alt_text if cover else None
    campaign.image_width = cover.width if cover else None
    campaign.image_height = cover.height if cover else None


def _record(actor: User, action: str, campaign: Campaign, now: datetime, **changes) -> None:
    audit.record(
        actor,
        action,
        "campaign",
        campaign.id,
        now,
        label=campaign.title,
        changes={name: list(values) for name, values in changes.items()},
    )


@transactional
def add_photo(
    campaign_id: int,
    file_storage: IO[bytes],
    alt_text: str | None,
    caption: str | None,
    actor: User,
    now: datetime,
    update_id: int | None = None,
) -> Added:
    """Store an uploaded photo as the campaign's (its cover if it is the first), or as an update's.
    `file_storage`: the upload (a werkzeug FileStorage or any binary stream)."""
    alt, text = rules.describe(alt_text, caption)
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise DomainError(PhotoError.NOT_FOUND)
    # An update's photo goes with the update (news after the end included); the campaign's own
    # photos change only while `editable` says so.
    if update_id is None and not editable(campaign, actor, now):
        raise DomainError(PhotoError.CLOSED)
    decoded = photo_files.decode(photo_files.read(getattr(file_storage, "stream", file_storage)))
    key = secrets.token_hex(16)
    photo_files.write_variants(photo_folder(), key, decoded.image)
    width, height = decoded.image.size

    # Locked from here: concurrent uploads get distinct positions and one cover.
    campaign = locked_campaign(campaign_id) if update_id is not None else _campaign_for_change(campaign_id, actor, now)
    siblings = photos_of(campaign.id) if update_id is None else list(photos_of_updates([update_id]).get(update_id, []))
    if update_id is None and len(siblings) >= rules.MAX_PHOTOS:
        raise DomainError(PhotoError.TOO_MANY_PHOTOS, limit=rules.MAX_PHOTOS)
    photo = CampaignPhoto(
        campaign_id=campaign.id,
        update_id=update_id,
        key=key,
        position=max((sibling.position for sibling in siblings), default=-1) + 1,
        is_cover=update_id is None and not any(sibling.is_cover for sibling in siblings),
        alt_text=alt,
        caption=text,
        width=width,
        height=height,
        created_at=now,
        uploaded_by_id=actor.id,
    )
    db.session.add(photo)
    db.session.flush()
    if photo.is_cover:
        _show_cover(campaign)
    _record(actor, "campaign.photo_add", campaign, now, photo=[None, key], alt_text=[None, alt])
    return Added(
        photo=photo,
        original_size=decoded.original_size,
        reduced=decoded.original_size != (width, height),
        first_frame=decoded.first_frame,
    )


@transactional
def describe(photo_id: int, alt_text: str | None, caption: str | None, actor: User, now: datetime, *, campaign_id: int):
    alt, text = rules.describe(alt_text, caption)
    campaign = _campaign_for_change(campaign_id, actor, now)
    photo = _own_photo(campaign.id, photo_id)
    before = {"alt_text": photo.alt_text, "caption": photo.caption}
    photo.alt_text, photo.caption = alt, text
    if photo.is_cover:
        _show_cover(campaign)
    changes = audit.diff(before, {"alt_text": alt, "caption": text})
    _record(actor, "campaign.photo_describe", campaign, now, photo=[photo.key, photo.key], **changes)
    return photo


@transactional
def make_cover(photo_id: int, actor: User, now: datetime, *, campaign_id: int) -> CampaignPhoto:
    campaign = _campaign_for_change(campaign_id, actor, now)
    photo = _own_photo(campaign.id, photo_id)
    if not photo.is_cover:
        previous = [other for other in photos_of(campaign.id) if other.is_cover]
        for other in previous:
            other.is_cover = False
        db.session.flush()  # the old cover first: one cover per campaign, even within a flush
        photo.is_cover = True
        db.session.flush()
        _show_cover(campaign)
        _record(actor, "campaign.photo_cover", campaign, now, cover=[previous[0].key if previous else None, photo.key])
    return photo


@transactional
def move(photo_id: int, up: bool, actor: User, now: datetime, *, campaign_id: int) -> None:
    """One place earlier (`up`) or later in the campaign's photos; at either end, nothing changes."""
    campaign = _campaign_for_change(campaign_id, actor, now)
    photo = _own_photo(campaign.id, photo_id)
    order = photos_of(campaign.id)
    index = order.index(photo)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(order):
        return
    order[index], order[other] = order[other], order[index]
    for position, each in enumerate(order):
        each.position = position
    _record(actor, "campaign.photo_move", campaign, now, photo=[photo.key, photo.key], position=[index, other])


@transactional
def remove(photo_id: int, actor: User, now: datetime, *, campaign_id: int) -> None:
    """Delete the photo; its files go once the row is gone. Removing the cover makes the next
    photo the cover."""
    campaign = _campaign_for_change(campaign_id, actor, now)
    photo = _own_photo(campaign.id, photo_id)
    was_cover = photo.is_cover
    db.session.delete(photo)
    db.session.flush()
    _delete_files_of(photo)
    if was_cover:
        following = photos_of(campaign.id)
        if following:
            following[0].is_cover = True
            db.session.flush()
        _show_cover(campaign)
    _record(actor, "campaign.photo_remove", campaign, now, photo=[photo.key, None], alt_text=[photo.alt_text, None])


@transactional
def set_video(campaign_id: int, url: str | None, actor: User, now: datetime) -> str | None:
    """Show a YouTube or Vimeo video (its canonical link stored), or none when `url` is empty."""
    video = rules.parse_video_url(url) if (url or "").strip() else None
    if (url or "").strip() and video is None:
        raise DomainError(PhotoError.VIDEO_NOT_SUPPORTED)
    campaign = _campaign_for_change(campaign_id, actor, now)
    before = campaign.video_url
    campaign.video_url = video.url if video else None
    if before != campaign.video_url:
        _record(actor, "campaign.video", campaign, now, video_url=[before, campaign.video_url])
    return campaign.video_url
