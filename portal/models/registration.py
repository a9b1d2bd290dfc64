"""People who sign up for events (the course, the info session) and their seats."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.registration import RegistrationStatus
from portal.extensions import db
from portal.models.types import UTCDateTime


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Registrant(db.Model):
    """One person, by e-mail: their personal page lists all their registrations."""

    __tablename__ = "registrant"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(sa.String(200))
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    lang: Mapped[str] = mapped_column(sa.String(2), default="it")
    # The secret of the personal link: who holds it sees and cancels the registrations.
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_token)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last "you are already registered" e-mail: at most one an hour, so nobody can use the
    # registration form to fill someone's mailbox (services/courses/registration_mail.py).
    already_registered_mail_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registrations: Mapped[list[Registration]] = relationship(back_populates="registrant")

    @property
    def active_registrations(self) -> list[Registration]:
        """Confirmed or waiting, by the event's start."""
        active = [r for r in self.registrations if r.status is not RegistrationStatus.CANCELLED]
        return sorted(active, key=lambda r: r.event.starts_at)

    @property
    def confirmed_registrations(self) -> list[Registration]:
        return [r for r in self.active_registrations if r.is_confirmed]


class Registration(db.Model):
    __tablename__ = "registration"
    __table_args__ = (
        # The same person holds at most one registration per event, even under concurrent requests.
        sa.UniqueConstraint("event_id", "registrant_id", name="uq_registration_event_registrant"),
        sa.Index("ix_registration_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("event.id"))
    registrant_id: Mapped[int] = mapped_column(sa.ForeignKey("registrant.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(sa.Enum(RegistrationStatus, native_enum=False, length=20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Waitlist order: the time someone joined it; promotion takes the earliest first.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An office hour booked for a campaign being prepared (its team, its coach).
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign.id"), index=True)

    registrant: Mapped[Registrant] = relationship(back_populates="registrations")
    event: Mapped[Event] = relationship()  # noqa: F821

    @property
    def is_confirmed(self) -> bool:
        return self.status is RegistrationStatus.CONFIRMED

    @property
    def is_waitlisted(self) -> bool:
        return self.status is RegistrationStatus.WAITLISTED

    def is_cancellable(self, now: datetime) -> bool:
        return self.status is not RegistrationStatus.CANCELLED and self.event.registrations_cancellable(now)


class ReminderSent(db.Model):
    """A reminder already queued: the unique pair makes running the command twice harmless."""

    __tablename__ = "reminder_sent"
    __table_args__ = (sa.UniqueConstraint("registration_id", "kind", name="uq_reminder_sent_registration_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id"))
    kind: Mapped[str] = mapped_column(sa.String(8))  # "24h" or "1h"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxMessage(db.Model):
    """An e-mail waiting to leave: written in the same transaction as what it announces,
    sent by `flask send-mail`, so a failing mail server never loses a registration."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    # [{"filename": ..., "content_type": ..., "content": <text>}]
    attachments: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    # Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) on news e-mails.
    headers: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
