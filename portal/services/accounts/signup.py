"""Applicants' own accounts: signing up, confirming the e-mail, resetting a forgotten password.

Links carry signed tokens (itsdangerous): they expire, and each works once — the confirmation
because the address is then confirmed, the reset because the password it was made for has changed.
Answers never reveal whether an address has an account: the e-mail says it, the page does not.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from portal.domain import DomainError
from portal.extensions import db
from portal.models import Role, User
from portal.services import audit, mail
from portal.services.accounts import accounts
from portal.services.transaction import transactional
from portal.urls import absolute_url, local_path

CONFIRM_SECONDS = 48 * 3600
RESET_SECONDS = 3600
INVITATION_SECONDS = 7 * 24 * 3600  # an invitation's link; a reset link lasts an hour


class SignupError(StrEnum):
    EXPIRED = "expired"  # a link too old
    INVALID = "invalid"  # a link forged, or already used
    EXISTS = "exists"  # an invitation to an address that has an account


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal-{purpose}")


def _password_mark(user: User) -> str:
    """Changes whenever the password does, so a reset link cannot be used twice."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _load(purpose: str, token: str, max_age: int) -> dict:
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise DomainError(SignupError.EXPIRED) from None
    except BadSignature:
        raise DomainError(SignupError.INVALID) from None


def _send(user: User, template: str, subject: LazyString, now: datetime, **context: object) -> None:
    """To the account's owner, in the account's language."""
    mail.send(template, to=user.email, lang=user.lang, subject=subject, now=now, user=user, **context)


@dataclass(frozen=True)
class Confirmation:
    """A confirmation link opened: whose address, and where the person was going when they signed up
    (a local path, or None)."""

    user: User
    next_path: str | None


def _account_exists(user: User, now: datetime, *, resend: bool = False) -> None:
    _send(
        user,
        "account_exists",
        _l("Il tuo account Crowdfunding Civico"),
        now,
        resend=resend,
        login_url=absolute_url("auth.login", lang=user.lang),
        reset_url=absolute_url("auth.forgot_password", lang=user.lang),
    )


@transactional
def sign_up(email: str, name: str, password: str, lang: str, now: datetime, *, next_path: str | None = None) -> None:
    """Create an applicant account and send the confirmation link; for an address already
    registered, create nothing and write to its owner instead. The link brings the person back
    to `next_path` (a local path: where they were going, e.g. the door to apply) after signing in.

    Both ways do the same work (the password checked and hashed, one message queued), so the time
    of the answer does not tell whether the address has an account."""
    accounts.check_password(email, password)
    existing = accounts.user_by_email(email)
    if existing is not None:
        accounts.hash_password(password)  # thrown away: the work a new account's hash costs
        _account_exists(existing, now)
        return
    user = accounts.create_user(email, name, password, Role.APPLICANT, now, lang=lang)
    send_confirmation(user, now, next_path=next_path)


@transactional
def send_confirmation(user: User, now: datetime, *, next_path: str | None = None) -> None:
    payload = {"id": user.id, "email": user.email}
    if local_path(next_path):
        payload["next"] = next_path
    token = _serializer("confirm").dumps(payload)
    _send(
        user,
        "confirm_email",
        _l("Conferma il tuo indirizzo e-mail – Crowdfunding Civico"),
        now,
        confirm_url=absolute_url("auth.confirm_email", lang=user.lang, token=token),
    )


def _no_account(email: str, template: str, now: datetime, lang: str, **context: str) -> None:
    """To an address without an active account: a message saying so, with the way to sign up."""
    address = accounts.normalise_email(email)
    mail.send(
        template,
        to=address,
        lang=lang,
        subject=_l("Nessun account con questo indirizzo – Crowdfunding Civico"),
        now=now,
        email=address,
        sign_up_url=absolute_url("auth.sign_up", lang=lang),
        **context,
    )


@transactional
def resend_confirmation(email: str, now: datetime, *, lang: str = "it", next_path: str | None = None) -> None:
    """ "Send the link again": a new confirmation link to an account still unconfirmed; to a
    confirmed one, a message saying so with the way in; to an address without an active account,
    a message saying that (in `lang`, the request's language). The same work every way (one look-up,
    one message queued), and the page says nothing about the account."""
    user = accounts.user_by_email(email)
    if user is None or not user.is_active:
        _no_account(email, "confirm_no_account", now, lang)
        return
    if user.email_confirmed_at is not None:
        _account_exists(user, now, resend=True)
        return
    send_confirmation(user, now, next_path=next_path)


@transactional
def confirm_email(token: str, now: datetime) -> Confirmation:
    """Confirm the address the link was made for. The link can be opened again (it only says
    "confirmed"); it never signs anyone in: the person signs in with their password, wherever
    they opened the link."""
    data = _load("confirm", token, CONFIRM_SECONDS)
    user = db.session.get(User, data.get("id"))
    if user is None or user.email != data.get("email"):
        raise DomainError(SignupError.INVALID)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
    return Confirmation(user, local_path(data.get("next")))


@transactional
def request_reset(email: str, now: datetime, *, lang: str = "it") -> None:
    """Send a reset link if the address has an active account, and otherwise a message saying that
    it has none (in `lang`, the language of the request): the same work either way, and the page
    says nothing about the account."""
    user = accounts.user_by_email(email)
    if user is None or not user.is_active:
        _no_account(email, "reset_no_account", now, lang, forgot_url=absolute_url("auth.forgot_password", lang=lang))
        return
    token = _serializer("reset").dumps({"id": user.id, "mark": _password_mark(user)})
    _send(
        user,
        "reset_password",
        _l("Imposta una nuova password – Crowdfunding Civico"),
        now,
        reset_url=absolute_url("auth.reset_password", lang=user.lang, token=token),
    )


def user_for_reset(token: str) -> User:
    """The account a reset link (an hour) or an invitation link (a week) was made for."""
    try:
        data = _load("reset", token, RESET_SECONDS)
    except DomainError as problem:
        try:
            data = _load("invite", token, INVITATION_SECONDS)
        except DomainError:
            raise problem from None
    user = db.session.get(User, data.get("id"))
    if user is None or not user.is_active or data.get("mark") != _password_mark(user):
        raise DomainError(SignupError.INVALID)
    return user


@transactional
def reset_password(token: str, password: str, now: datetime) -> User:
    """Set the new password; every other session of the account ends."""
    user = user_for_reset(token)
    accounts.check_password(user.email, password)
    user.password_hash = accounts.hash_password(password)
    user.session_version += 1
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now  # the link reached the mailbox: the address works
    return user


@transactional
def invite(email: str, name: str, role: Role, actor: User, now: datetime) -> User:
    """Staff invite an evaluator (or a colleague): an account without a usable password and an
    e-mail with a link to choose one; the second factor is set up at the first sign-in."""
    if accounts.user_by_email(email) is not None:
        raise DomainError(SignupError.EXISTS)
    user = accounts.create_user(email, name, secrets.token_urlsafe(32), role, now)
    user.email_confirmed_at = now  # the link can only be opened from this mailbox
    token = _serializer("invite").dumps({"id": user.id, "mark": _password_mark(user)})
    _send(
        user,
        "invitation",
        _l("Invito al back-office del Crowdfunding Civico"),
        now,
        inviter=actor,
        evaluates=role is Role.EVALUATOR,
        coaches=role is Role.COACH,
        set_password_url=absolute_url("auth.reset_password", lang=user.lang, token=token),
    )
    audit.record(actor, "user.invite", "user", user.id, now, label=user.email, changes={"role": [None, role.value]})
    return user
