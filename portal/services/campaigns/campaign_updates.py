"""News an organisation posts on its campaign's page."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa

from portal.domain import DomainError
from portal.extensions import db
from portal.models import Campaign, CampaignUpdate, User
from portal.rich_text import has_text, sanitise
from portal.services.transaction import transactional

TITLE_MAX = 150


class UpdateError(StrEnum):
    TITLE = "title"  # missing or longer than TITLE_MAX
    EMPTY = "empty"  # no text in the body once sanitised


def campaign_of_application(application_id: int) -> Campaign | None:
    """The campaign a selected application became, once staff launched it."""
    return db.session.scalars(sa.select(Campaign).filter_by(application_id=application_id)).one_or_none()


@transactional
def post_update(campaign_id: int, title: str, body: str, author: User, now: datetime) -> CampaignUpdate:
    """Publish an update; the body is kept already sanitised (the page sanitises it again),
    so every reader of the table (page, feed) gets safe HTML."""
    title = (title or "").strip()
    cleaned = str(sanitise(body))
    if not title or len(title) > TITLE_MAX:
        raise DomainError(UpdateError.TITLE)
    if not has_text(cleaned):
        raise DomainError(UpdateError.EMPTY)
    update = CampaignUpdate(campaign_id=campaign_id, title=title, body=cleaned, posted_at=now, author_id=author.id)
    db.session.add(update)
    return update
