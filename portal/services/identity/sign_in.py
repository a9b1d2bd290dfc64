"""Signing in with a verified SPID/CIE identity: one transaction per sign-in."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from portal.domain import DomainError
from portal.domain.sign_in import code_still_needed
from portal.extensions import db
from portal.models import Role, User
from portal.models.identity import UsedAssertion
from portal.services import audit
from portal.services.accounts.accounts import normalise_email, user_by_email
from portal.services.applications.organisations import record_legal_representative
from portal.services.identity.response_checks import SamlError
from portal.services.identity.saml import Identity
from portal.services.transaction import transactional

# Accounts made by SPID/CIE have no password: this is no hash any password matches (werkzeug's check
# finds no method in it and answers False).
NO_PASSWORD = "!spid-cie"


def user_by_fiscal_code(fiscal_code: str) -> User | None:
    return db.session.scalars(db.select(User).filter_by(fiscal_code=fiscal_code)).one_or_none()


def _claim(identity: Identity) -> None:
    """The assertion's ID, claimed once: a second sign-in with it (on another server, at the same
    instant included) meets the unique index, inserts nothing (ON CONFLICT DO NOTHING, in SQLite and
    PostgreSQL alike) and is refused."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = UsedAssertion.__table__
    claimed = db.session.execute(
        insert(table)
        .values(assertion_id=identity.assertion_id, idp=identity.idp, expires_at=identity.expires_at)
        .on_conflict_do_nothing(index_elements=["assertion_id"])
        .returning(table.c.id)
    ).first()
    if claimed is None:
        raise DomainError(SamlError.REPLAYED)


@transactional
def sign_in(identity: Identity, now: datetime, *, lang: str = "it") -> User:
    """The account with this codice fiscale, made on the first sign-in; the assertion used up.
    Raises DomainError(SamlError.REPLAYED / ACCOUNT_CONFLICT); an unknown person never takes over an
    e-mail account (linking one is done from inside it)."""
    _claim(identity)
    user = user_by_fiscal_code(identity.fiscal_code)
    if user is not None and code_still_needed(user.role.needs_second_factor, spid_level=identity.level):
        raise DomainError(SamlError.LEVEL_TOO_LOW)  # the back office's second factor is SPID level 2
    if user is None:
        email = normalise_email(identity.email or "") or f"{identity.fiscal_code.lower()}@spid.invalid"
        if user_by_email(email) is not None:
            raise DomainError(SamlError.ACCOUNT_CONFLICT)
        user = User(
            email=email,
            name=f"{identity.name} {identity.family_name}".strip(),
            password_hash=NO_PASSWORD,
            role=Role.APPLICANT,
            lang=lang,
            created_at=now,
            email_confirmed_at=now if identity.email else None,
            fiscal_code=identity.fiscal_code,
        )
        db.session.add(user)
        db.session.flush()
    user.last_login_at = now
    record_legal_representative(user, now)
    return user


@transactional
def link(user: User, identity: Identity, now: datetime) -> User:
    """Link SPID/CIE to the account signed in (with its password, and its second factor if it has
    one): once — refused if another account has this codice fiscale (SamlError.FISCAL_CODE_TAKEN) or
    this account has a different one (LINKED_TO_ANOTHER); the same one again changes nothing. Audited."""
    _claim(identity)
    if user.fiscal_code is not None and user.fiscal_code != identity.fiscal_code:
        raise DomainError(SamlError.LINKED_TO_ANOTHER)
    holder = user_by_fiscal_code(identity.fiscal_code)
    if holder is not None and holder.id != user.id:
        raise DomainError(SamlError.FISCAL_CODE_TAKEN)
    if user.fiscal_code is None:
        user.fiscal_code = identity.fiscal_code
        audit.record(
            user,
            "account.spid_linked",
            "user",
            user.id,
            now,
            label=user.email,
            changes={"fiscal_code": [None, identity.fiscal_code], "idp": [None, identity.idp]},
        )
    user.last_login_at = now
    record_legal_representative(user, now)
    return user


@transactional
def forget_expired_assertions(now: datetime) -> int:
    """Assertions past their NotOnOrAfter would be refused as expired anyway: their IDs may go."""
    return db.session.execute(sa.delete(UsedAssertion).where(UsedAssertion.expires_at < now)).rowcount
