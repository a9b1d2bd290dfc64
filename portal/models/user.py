"""People who sign in: applicants, evaluators and the Comune's staff."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime


class Role(enum.Enum):
    APPLICANT = "applicant"
    EVALUATOR = "evaluator"
    STAFF = "staff"
    # Staff or a partner's people who accompany the selected projects assigned to them (and nothing else).
    COACH = "coach"

    @property
    def needs_second_factor(self) -> bool:
        """The back-office moves public money and reads applications: a password is not enough."""
        return self is not Role.APPLICANT


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20), default=Role.APPLICANT)
    lang: Mapped[str] = mapped_column(sa.String(2), default="it")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped when the password changes: every session signed with the old value ends.
    session_version: Mapped[int] = mapped_column(default=1)
    # Second factor (RFC 6238). The secret is set at enrolment, trusted once a code confirms it;
    # the last accepted time step stops a code from being used twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Applicants act for one organisation (set when they fill its profile).
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # The codice fiscale (16 characters, upper case) SPID or CIE vouched for; unique: one account a person.
    fiscal_code: Mapped[str | None] = mapped_column(sa.String(16), unique=True, index=True)

    organisation: Mapped[Organisation | None] = relationship()  # noqa: F821

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    @property
    def is_staff(self) -> bool:
        return self.role is Role.STAFF

    @property
    def is_applicant(self) -> bool:
        return self.role is Role.APPLICANT

    @property
    def is_coach(self) -> bool:
        return self.role is Role.COACH

    @property
    def is_evaluator(self) -> bool:
        return self.role is Role.EVALUATOR

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"
