"""Accounts: passwords, sign-in, the second factor (TOTP) and creating staff accounts."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from markupsafe import escape
from werkzeug.security import check_password_hash, generate_password_hash

from portal.domain import DomainError
from portal.extensions import db
from portal.models import Role, User

MIN_PASSWORD_LENGTH = 12
TOTP_ISSUER = "Crowdfunding Civico"
# Checked when the e-mail is unknown, so a wrong address costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-password-of-anyone")


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
    """A password long enough and not the e-mail itself; raises DomainError("weak_password")."""
    if len(password) < MIN_PASSWORD_LENGTH or password.strip().lower() == normalise_email(policy_email):
        raise DomainError("weak_password", minimum=MIN_PASSWORD_LENGTH)


def create_user(email: str, name: str, password: str, role: Role, now: datetime, *, lang: str = "it") -> User:
    check_password(email, password)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=generate_password_hash(password),
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
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    return user


def record_login(user: User, now: datetime) -> None:
    user.last_login_at = now
    db.session.commit()


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
        svg = segno.make(self.uri, error="m").svg_inline(scale=5, border=4, light="#fff", svgclass="totp-qr-image")
        return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def start_enrolment(user: User) -> Enrolment:
    """A new secret for an account without a confirmed second factor."""
    if user.totp_enabled_at is not None:
        raise DomainError("already_enrolled")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        db.session.commit()
    uri = pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)
    return Enrolment(user.totp_secret, uri)


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
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            if user.totp_enabled_at is None:
                user.totp_enabled_at = now
            db.session.commit()
            return True
    return False


def reset_second_factor(user: User) -> None:
    """Forget the authenticator and end every session: the next sign-in enrols a new one."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    user.session_version += 1
    db.session.commit()
