"""Which campaign a public address shows: one lookup for the campaign page, the pledge form, the
follow form and the link-preview image, all asking the one rule `Campaign.is_public(now)`."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from portal.extensions import db
from portal.models import Campaign


def public_campaign(slug: str, now: datetime, *, with_content: bool = False) -> Campaign | None:
    """The public campaign at this address, or None (a draft, or one published later, is not public).

    Its edition comes in the same query; `with_content` also loads its rewards and updates."""
    query = (
        sa.select(Campaign)
        .join(Campaign.edition)
        .options(orm.contains_eager(Campaign.edition))
        .where(Campaign.slug == slug[:120], Campaign.is_public(now))
    )
    if with_content:
        query = query.options(orm.selectinload(Campaign.rewards), orm.selectinload(Campaign.updates))
    return db.session.execute(query).scalar_one_or_none()
