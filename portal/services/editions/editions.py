"""Reading editions and their events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import g

from portal.extensions import db
from portal.models import Edition, Event, EventKind
from portal.services import data_version


def current_edition() -> Edition | None:
    """The latest published edition: the one the portal is about right now (cached per request)."""
    if "current_edition" not in g:
        g.current_edition = db.session.execute(
            db.select(Edition).filter_by(is_published=True).order_by(Edition.year.desc()).limit(1)
        ).scalar_one_or_none()
    return g.current_edition


@dataclass(frozen=True)
class SessionSummary:
    """An info session as every page's banner needs it (plain values, kept per data version)."""

    slug: str
    title_it: str
    title_en: str
    starts_at: datetime
    ends_at: datetime
    join_url: str | None
    is_join_url_public: bool

    title = Event.title  # the title in a language: the event's own rule


@dataclass(frozen=True, eq=False)
class EditionSummary:
    """A published edition as the layout and the gallery's filter need it: plain values, kept per
    data version (an ORM row must not outlive its request). It compares equal to the edition it
    summarises."""

    id: int
    year: int
    eu_programme: str | None
    info_sessions: tuple[SessionSummary, ...] = ()  # by start

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Edition | EditionSummary) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


def published_editions() -> list[EditionSummary]:
    """The published editions, newest first, with their info sessions: one query per data version."""
    return data_version.memo("editions.published", _read_published)


def _read_published() -> list[EditionSummary]:
    rows = db.session.execute(
        sa.select(Edition.id, Edition.year, Edition.eu_programme, Event)
        .outerjoin(Event, sa.and_(Event.edition_id == Edition.id, Event.kind == EventKind.INFO_SESSION))
        .where(Edition.is_published)
        .order_by(Edition.year.desc(), Event.starts_at)
    ).all()
    editions: dict[int, tuple[int, str | None, list[SessionSummary]]] = {}
    for edition_id, year, eu_programme, event in rows:
        sessions = editions.setdefault(edition_id, (year, eu_programme, []))[2]
        if event is not None:
            sessions.append(
                SessionSummary(
                    event.slug,
                    event.title_it,
                    event.title_en,
                    event.starts_at,
                    event.ends_at,
                    event.join_url,
                    event.is_join_url_public,
                )
            )
    return [EditionSummary(id_, year, eu, tuple(sessions)) for id_, (year, eu, sessions) in editions.items()]


def current_edition_summary() -> EditionSummary | None:
    """`current_edition()` for the layout: the latest published edition, without a query of its own."""
    return next(iter(published_editions()), None)


def edition_or_404(year: int) -> Edition:
    return db.one_or_404(db.select(Edition).filter_by(year=year, is_published=True))
