"""An applicant's organisation: its profile, checked against the call's eligible legal forms."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from portal.domain import DomainError
from portal.extensions import db
from portal.models import Organisation, User
from portal.services.places.neighbourhoods import nil_or_none


@dataclass(frozen=True)
class Profile:
    name: str
    legal_form: str
    codice_fiscale: str
    address: str
    nil_id: int
    contact_name: str
    contact_phone: str


def profile_of(organisation: Organisation | None) -> Profile | None:
    if organisation is None:
        return None
    return Profile(**{name: getattr(organisation, name) for name in Profile.__dataclass_fields__})


def save_profile(user: User, profile: Profile, eligible_forms: frozenset[str], now: datetime) -> Organisation:
    """Create or update the user's organisation. Raises DomainError("not_eligible") for a legal
    form the call does not admit, ("unknown_nil") and ("cf_taken") when another organisation
    already has this codice fiscale."""
    if eligible_forms and profile.legal_form not in eligible_forms:
        raise DomainError("not_eligible")
    nil = nil_or_none(profile.nil_id)
    if nil is None:
        raise DomainError("unknown_nil")
    organisation = user.organisation or Organisation(created_at=now)
    for name, value in asdict(profile).items():
        setattr(organisation, name, value)
    organisation.municipio = nil.municipio
    organisation.updated_at = now
    user.organisation = organisation
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError("cf_taken") from None
    return organisation
