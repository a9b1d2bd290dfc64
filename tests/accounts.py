"""Accounts for tests: create them in the database, sign in through the real forms or directly."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp

from portal.extensions import db
from portal.models import Role, User
from portal.services.accounts import accounts

PASSWORD = "correct horse battery"
CREATED = datetime(2020, 5, 1, tzinfo=UTC)


def make_user(app, email: str, role: Role = Role.STAFF, *, enrolled: bool = True) -> str | None:
    """An active account; returns its TOTP secret when the second factor is set up."""
    with app.app_context():
        user = accounts.create_user(email, email.split("@")[0].title(), PASSWORD, role, CREATED)
        user.email_confirmed_at = CREATED
        secret = None
        if enrolled:
            secret = user.totp_secret = pyotp.random_base32()
            user.totp_enabled_at = CREATED
        db.session.commit()
        return secret


def user_by_email(app, email: str) -> User:
    with app.app_context():
        user = accounts.user_by_email(email)
        db.session.expunge(user)
        return user


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', html).group(1)


def password_step(client, email: str, password: str = PASSWORD, lang: str = "it", next_url: str = ""):
    token = csrf_from(client.get(f"/{lang}/accesso").get_data(as_text=True))
    data = {"csrf_token": token, "email": email, "password": password, "next": next_url}
    return client.post(f"/{lang}/accesso", data=data)


def code_step(client, code: str, lang: str = "it", path: str = "accesso/codice"):
    token = csrf_from(client.get(f"/{lang}/{path}").get_data(as_text=True))
    return client.post(f"/{lang}/{path}", data={"csrf_token": token, "code": code})


def sign_in(client, app, email: str) -> None:
    """Straight into a signed-in session (the sign-in forms have their own tests)."""
    user = user_by_email(app, email)
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
