"""An applicant's organisation: its profile, checked against the call's eligible legal forms."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from portal.domain import DomainError
from portal.extensions import db
from portal.models import Organisation, User
from portal.services.places.neighbourhoods import nil_or_none
from portal.services.transaction import transactional


class OrganisationError(StrEnum):
    NOT_ELIGIBLE = "not_eligible"  # a legal form the call does not admit
    UNKNOWN_NIL = "unknown_nil"
    CF_TAKEN = "cf_taken"  # another organisation has this codice fiscale


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


@transactional
def save_profile(user: User, profile: Profile, eligible_forms: frozenset[str], now: datetime) -> Organisation:
    """Create or update the user's organisation. Raises ``DomainError`` with an
    `OrganisationError`: ``NOT_ELIGIBLE`` for a legal form the call does not admit,
    ``UNKNOWN_NIL``, and ``CF_TAKEN`` when another organisation already has this codice fiscale."""
    if eligible_forms and profile.legal_form not in eligible_forms:
        raise DomainError(OrganisationError.NOT_ELIGIBLE)
    nil = nil_or_none(profile.nil_id)
    if nil is None:
        raise DomainError(OrganisationError.UNKNOWN_NIL)
    organisation = user.organisation or Organisation(created_at=now)
    for name, value in asdict(profile).items():
        setattr(organisation, name, value)
    organisation.municipio = nil.municipio
    organisation.updated_at = now
    user.organisation = organisation
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(OrganisationError.CF_TAKEN) from None
    return organisation
