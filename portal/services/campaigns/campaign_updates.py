"""News an organisation posts on its campaign's page."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import IO

import sqlalchemy as sa

from portal.domain import DomainError
from portal.domain.following import NewsKind
from portal.extensions import db
from portal.models import Campaign, CampaignUpdate, User
from portal.rich_text import has_text, sanitise
from portal.services.campaigns import following, photos
from portal.services.transaction import transactional

TITLE_MAX = 150


class UpdateError(StrEnum):
    TITLE = "title"  # missing or longer than TITLE_MAX
    EMPTY = "empty"  # no text in the body once sanitised


def campaign_of_application(application_id: int) -> Campaign | None:
    """The campaign a selected application became, once staff launched it."""
    return db.session.scalars(sa.select(Campaign).filter_by(application_id=application_id)).one_or_none()


@transactional
def post_update(
    campaign_id: int,
    title: str,
    body: str,
    author: User,
    now: datetime,
    photo: IO[bytes] | None = None,
    photo_alt: str | None = None,
) -> CampaignUpdate:
    """Publish an update; the body is kept already sanitised (the page sanitises it again),
    so every reader of the table (page, feed) gets safe HTML. With `photo` (and its alt text),
    the photo is stored with it in the same transaction: a refused photo leaves no update."""
    title = (title or "").strip()
    cleaned = str(sanitise(body))
    if not title or len(title) > TITLE_MAX:
        raise DomainError(UpdateError.TITLE)
    if not has_text(cleaned):
        raise DomainError(UpdateError.EMPTY)
    update = CampaignUpdate(campaign_id=campaign_id, title=title, body=cleaned, posted_at=now, author_id=author.id)
    db.session.add(update)
    if photo is not None:
        db.session.flush()
        photos.add_photo(campaign_id, photo, photo_alt, None, author, now, update_id=update.id)
    following.announce(campaign_id, NewsKind.UPDATE, now, update=update)
    return update
