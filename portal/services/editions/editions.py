"""Reading editions and their events."""

from __future__ import annotations

from flask import g

from portal.extensions import db
from portal.models import Edition, Event, EventKind


def current_edition() -> Edition | None:
    """The latest published edition: the one the portal is about right now (cached per request)."""
    if "current_edition" not in g:
        g.current_edition = db.session.execute(
            db.select(Edition).filter_by(is_published=True).order_by(Edition.year.desc()).limit(1)
        ).scalar_one_or_none()
    return g.current_edition


def edition_or_404(year: int) -> Edition:
    return db.one_or_404(db.select(Edition).filter_by(year=year, is_published=True))


def events_of(edition: Edition, kind: EventKind) -> list[Event]:
    return list(
        db.session.execute(
            db.select(Event).filter_by(edition_id=edition.id, kind=kind).order_by(Event.starts_at)
        ).scalars()
    )


def event_or_404(slug: str) -> Event:
    return db.one_or_404(db.select(Event).filter_by(slug=slug))
