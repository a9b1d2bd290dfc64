"""A campaign: a selected project raising money from citizens, with the Comune's co-funding reserved."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime


class Campaign(db.Model):
    __tablename__ = "campaign"
    __table_args__ = (
        sa.CheckConstraint("goal_cents > 0", name="goal"),
        sa.CheckConstraint("reserved_cents >= 0", name="reserved"),
        sa.CheckConstraint("ends_at > starts_at", name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("edition.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application.id"), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(150))
    summary: Mapped[str] = mapped_column(sa.String(400))
    story: Mapped[str | None] = mapped_column(sa.Text)
    organisation_name: Mapped[str] = mapped_column(sa.String(200))
    theme: Mapped[str | None] = mapped_column(sa.String(30))
    nil_id: Mapped[int | None]
    municipio: Mapped[int | None]
    goal_cents: Mapped[int] = mapped_column(sa.BigInteger)
    # The Comune's maximum contribution, set aside from the edition's budget at selection.
    reserved_cents: Mapped[int] = mapped_column(sa.BigInteger)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    rewards: Mapped[list[CampaignReward]] = relationship(
        order_by="CampaignReward.position", cascade="all, delete-orphan", back_populates="campaign"
    )


class CampaignReward(db.Model):
    __tablename__ = "campaign_reward"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(120))
    min_pledge_cents: Mapped[int] = mapped_column(sa.BigInteger)
    description: Mapped[str] = mapped_column(sa.String(500))
    quantity: Mapped[int | None]

    campaign: Mapped[Campaign] = relationship(back_populates="rewards")
