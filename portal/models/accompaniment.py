"""Accompaniment and visibility: what the coach and the team say to each other about a campaign
being prepared, and the programme's newsletter (its subscribers are personal data, kept as the
privacy notice says)."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.readiness import Section
from portal.extensions import db
from portal.models.types import UTCDateTime


class CampaignComment(db.Model):
    """A comment on one section of a campaign's draft, by its coach, staff or a member of its team."""

    __tablename__ = "campaign_comment"
    __table_args__ = (sa.Index("ix_campaign_comment_campaign_created", "campaign_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    section: Mapped[Section] = mapped_column(sa.Enum(Section, native_enum=False, length=20))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship()  # noqa: F821


def new_subscriber_token() -> str:
    return secrets.token_urlsafe(32)


class NewsletterSubscriber(db.Model):
    """Someone who asked for the programme's newsletter. Mailed only once `confirmed_at` is set (the
    link in the confirmation e-mail) and while `unsubscribed_at` is not."""

    __tablename__ = "newsletter_subscriber"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lower-case
    lang: Mapped[str] = mapped_column(sa.String(2), default="it")
    # The secret of the confirmation and unsubscribe links.
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_subscriber_token)
    # Where they asked: "footer", "registration", "pledge", "follow".
    source: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmation_mail_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def receives_newsletter(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class NewsletterIssue(db.Model):
    """One newsletter, written by staff in both languages and sent once."""

    __tablename__ = "newsletter_issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_it: Mapped[str] = mapped_column(sa.String(200))
    subject_en: Mapped[str] = mapped_column(sa.String(200))
    body_it: Mapped[str] = mapped_column(sa.Text)
    body_en: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipients: Mapped[int] = mapped_column(default=0)  # messages queued when it was sent
