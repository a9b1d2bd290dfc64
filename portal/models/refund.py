"""Money going back to supporters of a campaign that was not funded."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime


class RefundRoute(enum.Enum):
    PROVIDER = "provider"  # a card payment: refunded through the provider that took it
    BANK_TRANSFER = "bank_transfer"  # a bank transfer: paid back by SEPA credit transfer to the IBAN given

    @property
    def through_provider(self) -> bool:
        return self is RefundRoute.PROVIDER


class RefundStatus(enum.Enum):
    AWAITING_IBAN = "awaiting_iban"  # a bank transfer's supporter has not given an IBAN yet
    DUE = "due"  # ready: to ask the provider, or to put in the next SEPA file
    REQUESTED = "requested"  # asked of the provider, or in a SEPA file sent to the bank
    DONE = "done"  # the provider or the bank confirmed it
    FAILED = "failed"  # the last attempt failed: retried, and shown to staff

    @property
    def awaits_iban(self) -> bool:
        return self is RefundStatus.AWAITING_IBAN

    @property
    def is_done(self) -> bool:
        return self is RefundStatus.DONE

    @property
    def has_failed(self) -> bool:
        return self is RefundStatus.FAILED

    @property
    def is_requested(self) -> bool:
        return self is RefundStatus.REQUESTED


class Refund(db.Model):
    """One per pledge, at most (the unique pledge id is what makes a refund happen exactly once)."""

    __tablename__ = "refund"
    __table_args__ = (sa.CheckConstraint("amount_cents > 0", name="amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(sa.ForeignKey("pledge.id"), unique=True)
    route: Mapped[RefundRoute] = mapped_column(sa.Enum(RefundRoute, native_enum=False, length=20))
    status: Mapped[RefundStatus] = mapped_column(sa.Enum(RefundStatus, native_enum=False, length=20), index=True)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The provider's refund id, or the end-to-end id in the SEPA file.
    external_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A bank transfer's supporter gives the account to pay back through a secret link.
    iban: Mapped[str | None] = mapped_column(sa.String(34))
    account_holder: Mapped[str | None] = mapped_column(sa.String(70))
    iban_given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sepa_batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sepa_batch.id"), index=True)

    pledge: Mapped[Pledge] = relationship(back_populates="refund")  # noqa: F821
    sepa_batch: Mapped[SepaBatch | None] = relationship(back_populates="refunds")

    @property
    def awaits_iban(self) -> bool:
        return self.status.awaits_iban


class SepaBatch(db.Model):
    """A SEPA credit transfer file (pain.001) staff downloaded for the bank: its refunds, once."""

    __tablename__ = "sepa_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(sa.String(35), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    total_cents: Mapped[int] = mapped_column(sa.BigInteger)
    count: Mapped[int]

    refunds: Mapped[list[Refund]] = relationship(back_populates="sepa_batch")
