"""Accounts: passwords, sign-in, the second factor (TOTP) and creating staff accounts."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pyotp
import sqlalchemy as sa
from flask import current_app
from markupsafe import escape
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from portal.domain import DomainError
from portal.extensions import db
from portal.models import Role, User
from portal.services.transaction import transactional

MIN_PASSWORD_LENGTH = 12
TOTP_ISSUER = "Crowdfunding Civico"


def hash_password(password: str) -> str:
    """A new password's hash, by the configured method (PASSWORD_HASH_METHOD: scrypt; cheap in the tests).
    A stored hash names its own method, so hashes made with another one still verify."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.cache
def _dummy_hash(method: str) -> str:
    """Checked when the e-mail is unknown, so a wrong address costs as much time as a wrong password."""
    return generate_password_hash("not-a-password-of-anyone", method=method)


class AccountError(StrEnum):
    WEAK_PASSWORD = "weak_password"  # too short, or the e-mail itself
    ALREADY_ENROLLED = "already_enrolled"  # the second factor is already set up


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalars(db.select(User).filter_by(email=normalise_email(email))).one_or_none()


def load_user(session_id: str) -> User | None:
    """Flask-Login's loader: "<id>:<session version>"; an old version means a signed-out session."""
    user_id, _, version = (session_id or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version) or not user.is_active:
        return None
    return user


def check_password(policy_email: str, password: str) -> None:
    """A password long enough and not the e-mail itself; raises DomainError(AccountError.WEAK_PASSWORD)."""
    if len(password) < MIN_PASSWORD_LENGTH or password.strip().lower() == normalise_email(policy_email):
        raise DomainError(AccountError.WEAK_PASSWORD, minimum=MIN_PASSWORD_LENGTH)


@transactional
def create_user(email: str, name: str, password: str, role: Role, now: datetime, *, lang: str = "it") -> User:
    check_password(email, password)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        lang=lang,
        created_at=now,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account with this e-mail and password, or None (the same for any reason)."""
    user = user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    return user


@transactional
def create_confirmed_user(email: str, name: str, password: str, role: Role, now: datetime) -> User:
    """An account whose address an operator vouches for (created from the command line)."""
    user = create_user(email, name, password, role, now)
    user.email_confirmed_at = now
    return user


@transactional
def record_login(user: User, now: datetime) -> None:
    user.last_login_at = now


@transactional
def sign_out(user: User) -> None:
    """End every session of the account, on every device: the session identity carries
    `session_version`, so a copy of any cookie signed before this no longer opens anything."""
    user.session_version += 1


@transactional
def sign_in_with_code(user: User, code: str, now: datetime, *, real_time: float | None = None) -> bool:
    """The second step of signing in: True, and the sign-in recorded, for a valid code (`verify_code`)."""
    if not verify_code(user, code, now, real_time=real_time):
        return False
    record_login(user, now)
    return True


# The second factor reads the real time, never the portal's simulated clock:
# authenticator apps on people's phones run on real time.


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str

    @property
    def grouped_secret(self) -> str:
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))

    def qr_svg(self, label: str) -> str:
        """The provisioning URI as an inline SVG image, made on the server (no external service)."""
        import segno  # loaded by the first enrolment, not by every worker

        svg = segno.make(self.uri, error="m").svg_inline(scale=5, border=4, light="#fff", svgclass="totp-qr-image")
        return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def start_enrolment(user: User) -> Enrolment:
    """A new secret for an account without a confirmed second factor."""
    if user.totp_enabled_at is not None:
        raise DomainError(AccountError.ALREADY_ENROLLED)
    if not user.totp_secret:
        _new_secret(user)
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)
    return Enrolment(user.totp_secret, uri)


@transactional
def _new_secret(user: User) -> None:
    user.totp_secret = pyotp.random_base32()


@transactional
def verify_code(user: User, code: str, now: datetime, *, real_time: float | None = None) -> bool:
    """True for a valid code not used before (one step of clock drift allowed either way).

    On success the time step is remembered, so the same code cannot be replayed; a first
    valid code confirms the enrolment.
    """
    code = "".join((code or "").split())
    if not user.totp_secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    moment = time.time() if real_time is None else real_time
    current = totp.timecode(moment)
    for step in (current - 1, current, current + 1):
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            if not _claim_step(user, step):
                return False
            if user.totp_enabled_at is None:
                user.totp_enabled_at = now
            return True
    return False


def _claim_step(user: User, step: int) -> bool:
    """Remember `step` as used, if no code of it or a later step was: one conditional UPDATE, so of
    requests carrying the same code at the same moment exactly one claims it (PostgreSQL re-checks
    the condition after waiting for a concurrent claim's row lock, held until its sign-in commits)."""
    claimed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)  # what the row now holds; nothing left to flush
    return True


@transactional
def reset_second_factor(user: User) -> None:
    """Forget the authenticator and end every session: the next sign-in enrols a new one."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.session_version += 1
