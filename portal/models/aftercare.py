"""After the campaign: what a funded project does with the money, and what it achieves.

Milestones from the project's plan, spending reports against the application's budget lines (with
PDF receipts only staff see), the Comune's grant paid in instalments, and the impact indicators
chosen at application with the values reported."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.aftercare import InstalmentCondition, MilestoneState, ReportStatus
from portal.extensions import db
from portal.models.types import UTCDateTime


class Milestone(db.Model):
    """A step of a funded project's plan, with its date; "late" is not stored: it is computed from
    the date and the clock by `portal.domain.aftercare.milestone_status`."""

    __tablename__ = "milestone"
    __table_args__ = (sa.Index("ix_milestone_campaign_position", "campaign_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date] = mapped_column(sa.Date)
    state: Mapped[MilestoneState] = mapped_column(
        sa.Enum(MilestoneState, native_enum=False, length=20), default=MilestoneState.PLANNED
    )
    done_on: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.String(500))  # what the organisation says of it, public
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SpendingReport(db.Model):
    """An expense the organisation reports against one budget line of its application, with its
    receipt (a PDF through the attachments' checks, shown to staff only); staff approve it or send
    it back with a reason. Only approved amounts count in the public totals."""

    __tablename__ = "spending_report"
    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount"),
        sa.Index("ix_spending_report_campaign_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    budget_item_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_item.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    description: Mapped[str] = mapped_column(sa.String(300))
    spent_on: Mapped[date] = mapped_column(sa.Date)
    # The final report: its approval makes the balance instalment due.
    is_final: Mapped[bool] = mapped_column(default=False)
    receipt_filename: Mapped[str] = mapped_column(sa.String(200))  # as uploaded, for display only
    receipt_key: Mapped[str] = mapped_column(sa.String(64), unique=True)  # the stored file's name
    receipt_size: Mapped[int]
    receipt_sha256: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[ReportStatus] = mapped_column(
        sa.Enum(ReportStatus, native_enum=False, length=20), default=ReportStatus.SUBMITTED
    )
    reason: Mapped[str | None] = mapped_column(sa.String(500))  # why staff sent it back
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class GrantInstalment(db.Model):
    """A part of the Comune's committed grant, due on a condition of the edition's plan and recorded
    as paid by staff. What is paid is part of what is committed, never more (the campaign's row lock
    and `portal.domain.aftercare.check_payment`)."""

    __tablename__ = "grant_instalment"
    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount"),
        sa.UniqueConstraint("campaign_id", "position", name="uq_grant_instalment_campaign_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    position: Mapped[int]
    percent: Mapped[int]
    condition: Mapped[InstalmentCondition] = mapped_column(sa.Enum(InstalmentCondition, native_enum=False, length=20))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    payment_reference: Mapped[str | None] = mapped_column(sa.String(100))  # the Comune's mandate number


class ImpactIndicator(db.Model):
    """An indicator the applicant chose (people reached, events held, volunteers, …), its target
    and, once the project runs, the value reported."""

    __tablename__ = "impact_indicator"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "code", name="uq_impact_indicator_application_code"),
        sa.CheckConstraint("target > 0", name="target"),
        sa.CheckConstraint("reported IS NULL OR reported >= 0", name="reported"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(30))  # portal.domain.aftercare.INDICATORS
    target: Mapped[int]
    reported: Mapped[int | None]
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship()  # noqa: F821
