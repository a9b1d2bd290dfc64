"""Organisations and their applications to a call, with budget lines, rewards, attachments and history."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.application import ApplicationStatus, can_withdraw
from portal.domain.match_funding import MatchSplit, split_cost
from portal.domain.tax_relief import FiscalStatus
from portal.extensions import db
from portal.models.types import UTCDateTime


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    legal_form: Mapped[str] = mapped_column(sa.String(30))
    codice_fiscale: Mapped[str] = mapped_column(sa.String(16), unique=True)
    address: Mapped[str] = mapped_column(sa.String(300))  # the operating seat in Milan
    nil_id: Mapped[int]
    municipio: Mapped[int]
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_phone: Mapped[str] = mapped_column(sa.String(40))
    # The legal representative's codice fiscale as SPID/CIE vouched for it (the organisation's account
    # signing in with SPID/CIE: portal/services/identity/sign_in.py); never typed in a form.
    legal_rep_fiscal_code: Mapped[str | None] = mapped_column(sa.String(16))
    # Its fiscal status, which decides the tax-relief note on donors' receipts: declared by the
    # organisation with the date it holds from, checked by staff (who: the audit log; the rule:
    # `portal/domain/tax_relief.py`).
    fiscal_status: Mapped[FiscalStatus | None] = mapped_column(sa.Enum(FiscalStatus, native_enum=False, length=20))
    fiscal_status_since: Mapped[date | None] = mapped_column(sa.Date)
    fiscal_status_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Application(db.Model):
    __tablename__ = "application"
    __table_args__ = (
        # Sequential per edition, never twice: the database refuses a duplicate even under races.
        sa.UniqueConstraint("edition_id", "protocol_seq", name="uq_application_edition_protocol_seq"),
        sa.Index("ix_application_edition_status", "edition_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("edition.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    status: Mapped[ApplicationStatus] = mapped_column(
        sa.Enum(ApplicationStatus, native_enum=False, length=20), default=ApplicationStatus.DRAFT
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # 1. The project
    title: Mapped[str | None] = mapped_column(sa.String(150))
    summary: Mapped[str | None] = mapped_column(sa.String(400))
    description: Mapped[str | None] = mapped_column(sa.Text)
    theme: Mapped[str | None] = mapped_column(sa.String(30))
    nil_id: Mapped[int | None]
    municipio: Mapped[int | None]
    why_here: Mapped[str | None] = mapped_column(sa.Text)
    # 2. Timeline
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    # 3. Budget: lines below; the total is kept for lists and checked on every save.
    total_cost_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    # 4. Campaign plan (rewards below)
    communication_plan: Mapped[str | None] = mapped_column(sa.Text)
    team: Mapped[str | None] = mapped_column(sa.Text)
    # 6. Submission
    declarations_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    protocol_seq: Mapped[int | None]
    protocol_number: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Staff: the formal admissibility check, then the decision.
    admissible: Mapped[bool | None]
    admissibility_reason: Mapped[str | None] = mapped_column(sa.String(500))
    admissibility_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reserved_cents: Mapped[int | None] = mapped_column(sa.BigInteger)  # the co-funding set aside when selected
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    edition: Mapped[Edition] = relationship()  # noqa: F821
    organisation: Mapped[Organisation] = relationship()
    budget_lines: Mapped[list[BudgetItem]] = relationship(
        order_by="BudgetItem.position", cascade="all, delete-orphan", back_populates="application"
    )
    rewards: Mapped[list[Reward]] = relationship(
        order_by="Reward.position", cascade="all, delete-orphan", back_populates="application"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.id", cascade="all, delete-orphan", back_populates="application"
    )
    history: Mapped[list[StatusChange]] = relationship(
        order_by="StatusChange.id", cascade="all, delete-orphan", back_populates="application"
    )
    campaign: Mapped[Campaign | None] = relationship(uselist=False, viewonly=True)  # noqa: F821

    @property
    def is_editable(self) -> bool:
        return self.status is ApplicationStatus.DRAFT

    @property
    def awaits_admissibility(self) -> bool:
        """Submitted: the staff's formal check comes next."""
        return self.status is ApplicationStatus.SUBMITTED

    @property
    def is_in_evaluation(self) -> bool:
        """Admissible and with the evaluators: assignments and the decision are open."""
        return self.status is ApplicationStatus.IN_EVALUATION

    @property
    def is_selected(self) -> bool:
        return self.status is ApplicationStatus.SELECTED

    @property
    def funding_split(self) -> MatchSplit | None:
        """The citizens' target and the Comune's share for this budget, by the call's rule (the
        calculator's): None until the budget has a total or while the edition has no rule."""
        if not self.total_cost_cents or not self.edition.has_match_rule:
            return None
        return split_cost(self.total_cost_cents, self.edition.match_rule)

    def is_withdrawable(self, now: datetime) -> bool:
        return can_withdraw(self.status, self.edition.applications_close_at, now)


class BudgetItem(db.Model):
    __tablename__ = "budget_item"
    __table_args__ = (sa.CheckConstraint("amount_cents > 0", name="positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(30))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)

    application: Mapped[Application] = relationship(back_populates="budget_lines")


class Reward(db.Model):
    __tablename__ = "reward"
    __table_args__ = (
        sa.CheckConstraint("min_pledge_cents > 0", name="positive"),
        sa.CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(120))
    min_pledge_cents: Mapped[int] = mapped_column(sa.BigInteger)
    description: Mapped[str] = mapped_column(sa.String(500))
    quantity: Mapped[int | None]  # None: unlimited

    application: Mapped[Application] = relationship(back_populates="rewards")


class Attachment(db.Model):
    """A PDF kept outside static/, served only to the organisation and to staff."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))  # as uploaded, for display only
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="attachments")


class StatusChange(db.Model):
    """Each status an application reached, and when: the applicant's status page."""

    __tablename__ = "status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(sa.Enum(ApplicationStatus, native_enum=False, length=20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="history")


class ProtocolCounter(db.Model):
    """The last protocol number given in an edition; its row is locked while a number is taken."""

    __tablename__ = "protocol_counter"

    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("edition.id"), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)
