"""Events: the info session and, later, each lesson of the course."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.registration import cancellation_open, registration_open
from portal.extensions import db
from portal.models.types import UTCDateTime


class EventKind(enum.Enum):
    INFO_SESSION = "info_session"
    LESSON = "lesson"
    # A coach's slot for the teams of the projects being accompanied: booked like a lesson, never
    # in the public programme.
    OFFICE_HOUR = "office_hour"


class Venue(enum.Enum):
    YOUTUBE = "youtube"
    ZOOM = "zoom"
    IN_PERSON = "in_person"

    @property
    def is_youtube(self) -> bool:
        return self is Venue.YOUTUBE

    @property
    def is_zoom(self) -> bool:
        return self is Venue.ZOOM

    @property
    def is_public_stream(self) -> bool:
        """Streamed on the Comune's YouTube channel: anyone watches, free, without registering."""
        return self is Venue.YOUTUBE


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("edition.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(sa.Enum(EventKind, native_enum=False, length=20))
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    position: Mapped[int | None]  # lesson number within the course

    title_it: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    summary_it: Mapped[str | None] = mapped_column(sa.Text)
    summary_en: Mapped[str | None] = mapped_column(sa.Text)

    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[Venue] = mapped_column(sa.Enum(Venue, native_enum=False, length=20))
    # Where people follow it live. Public for a stream; lessons keep theirs private.
    join_url: Mapped[str | None] = mapped_column(sa.String(500))
    is_join_url_public: Mapped[bool] = mapped_column(default=True)
    recording_url: Mapped[str | None] = mapped_column(sa.String(500))
    # Slides and handouts, added by staff after the event (a link to where they are published).
    materials_url: Mapped[str | None] = mapped_column(sa.String(500))
    capacity: Mapped[int | None]
    # Confirmed registrations, kept by the registration service under the event's lock (never
    # counted per page): the seats left are `capacity - confirmed_seats`.
    confirmed_seats: Mapped[int] = mapped_column(default=0, server_default="0")
    # [{"name": ..., "role_it": ..., "role_en": ...}]
    speakers: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    # An office hour's coach (portal.models.user.User).
    coach_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)

    edition: Mapped[Edition | None] = relationship(back_populates="events")  # noqa: F821

    @property
    def needs_registration(self) -> bool:
        """Lessons and office hours take registrations (their seats are counted); the info session is
        open to all."""
        return self.kind in (EventKind.LESSON, EventKind.OFFICE_HOUR)

    @property
    def is_office_hour(self) -> bool:
        """A coach's slot for a team: booked like a lesson, never in the public programme."""
        return self.kind is EventKind.OFFICE_HOUR

    def takes_registrations(self, now: datetime) -> bool:
        return self.needs_registration and registration_open(self.starts_at, now)

    def registrations_cancellable(self, now: datetime) -> bool:
        return cancellation_open(self.starts_at, now)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_it

    def summary(self, lang: str) -> str | None:
        return self.summary_en if lang == "en" and self.summary_en else self.summary_it

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"
