"""What people see of a campaign besides its text, and who follows it: its photos, the news told to
its followers, and the followers themselves (personal data, kept as the privacy notice says)."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import UTCDateTime


def new_photo_key() -> str:
    """The random part of a photo's file names: unguessable, so a campaign still being prepared
    shows its photos only to whoever has its pages."""
    return secrets.token_hex(16)


class CampaignPhoto(db.Model):
    """A photo of a campaign (or of one of its updates), stored as re-encoded variants whose names
    come from `key` and the widths of `portal.domain.photos.variant_widths(width)`."""

    __tablename__ = "campaign_photo"
    __table_args__ = (
        # At most one cover per campaign, even under concurrent requests.
        sa.Index(
            "uq_campaign_photo_cover",
            "campaign_id",
            unique=True,
            postgresql_where=sa.text("is_cover"),
            sqlite_where=sa.text("is_cover"),
        ),
        sa.Index("ix_campaign_photo_campaign_position", "campaign_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    # Set for a photo that belongs to an update (shown in it, not in the campaign's gallery).
    update_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign_update.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_photo_key)
    position: Mapped[int] = mapped_column(default=0)
    is_cover: Mapped[bool] = mapped_column(default=False)
    alt_text: Mapped[str] = mapped_column(sa.String(250))
    caption: Mapped[str | None] = mapped_column(sa.String(300))
    # The largest variant stored (the original's size, reduced to the widest variant).
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


def new_follower_token() -> str:
    return secrets.token_urlsafe(32)


class CampaignFollower(db.Model):
    """Someone who asked, by e-mail and without an account, to hear a campaign's news. Counts only
    once confirmed (double opt-in); unsubscribing deletes the row."""

    __tablename__ = "campaign_follower"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "email", name="uq_campaign_follower_campaign_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))  # stored lower-case
    lang: Mapped[str] = mapped_column(sa.String(2), default="it")
    # The secret of the confirmation and unsubscribe links.
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_follower_token)
    source: Mapped[str] = mapped_column(sa.String(10), default="form")  # "form" or "pledge"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last confirmation e-mail (at most one an hour) and the last news e-mail (at most one a day).
    confirmation_mail_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_mail_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The news this person has been told of: every `CampaignNews.id` up to this one.
    told_news_id: Mapped[int] = mapped_column(default=0)


class CampaignNews(db.Model):
    """Something followers are told of: an update, the threshold reached, the last 48 hours, the
    outcome. `dedupe_key` makes recording it twice harmless (the CLI runs again, a retried request)."""

    __tablename__ = "campaign_news"
    __table_args__ = (sa.Index("ix_campaign_news_campaign_id_id", "campaign_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # portal.domain.following.NewsKind
    update_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign_update.id"))
    dedupe_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)
