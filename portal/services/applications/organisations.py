"""An applicant's organisation: its profile, checked against the call's eligible legal forms."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from portal.domain import DomainError
from portal.domain.tax_relief import FiscalStatus
from portal.extensions import db
from portal.models import Organisation, User
from portal.services import audit
from portal.services.places.neighbourhoods import nil_or_none
from portal.services.transaction import transactional


class OrganisationError(StrEnum):
    NOT_ELIGIBLE = "not_eligible"  # a legal form the call does not admit
    UNKNOWN_NIL = "unknown_nil"
    CF_TAKEN = "cf_taken"  # another organisation has this codice fiscale
    FISCAL_DATE_MISSING = "fiscal_date_missing"  # a fiscal status that may qualify, without its date
    NO_FISCAL_STATUS = "no_fiscal_status"  # staff cannot check a status never declared


@dataclass(frozen=True)
class Profile:
    name: str
    legal_form: str
    codice_fiscale: str
    address: str
    nil_id: int
    contact_name: str
    contact_phone: str
    # Declared by the organisation; staff check it (`check_fiscal_status`).
    fiscal_status: FiscalStatus | None = None
    fiscal_status_since: date | None = None


def profile_of(organisation: Organisation | None) -> Profile | None:
    if organisation is None:
        return None
    return Profile(**{name: getattr(organisation, name) for name in Profile.__dataclass_fields__})


@transactional
def save_profile(user: User, profile: Profile, eligible_forms: frozenset[str], now: datetime) -> Organisation:
    """Create or update the user's organisation. Raises ``DomainError`` with an
    `OrganisationError`: ``NOT_ELIGIBLE`` for a legal form the call does not admit,
    ``UNKNOWN_NIL``, ``FISCAL_DATE_MISSING`` (a status that may qualify needs its date), and
    ``CF_TAKEN`` when another organisation already has this codice fiscale."""
    if eligible_forms and profile.legal_form not in eligible_forms:
        raise DomainError(OrganisationError.NOT_ELIGIBLE)
    nil = nil_or_none(profile.nil_id)
    if nil is None:
        raise DomainError(OrganisationError.UNKNOWN_NIL)
    if profile.fiscal_status is not None and profile.fiscal_status.needs_date and profile.fiscal_status_since is None:
        raise DomainError(OrganisationError.FISCAL_DATE_MISSING)
    organisation = user.organisation or Organisation(created_at=now)
    if (organisation.fiscal_status, organisation.fiscal_status_since) != (
        profile.fiscal_status,
        profile.fiscal_status_since,
    ):
        organisation.fiscal_status_checked_at = None  # a changed declaration waits for staff's check again
    for name, value in asdict(profile).items():
        setattr(organisation, name, value)
    organisation.municipio = nil.municipio
    organisation.updated_at = now
    user.organisation = organisation
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(OrganisationError.CF_TAKEN) from None
    record_legal_representative(user, now)
    return organisation


def record_legal_representative(user: User, now: datetime) -> None:
    """The organisation's account is its legal representative's (the applicant who signs the
    application for it): the codice fiscale SPID/CIE vouched for on the account goes on the
    organisation's profile, read-only, audited. Asked when the profile is saved and at each SPID/CIE
    sign-in (portal/services/identity/sign_in.py)."""
    organisation = user.organisation
    if organisation is None or user.fiscal_code is None or organisation.legal_rep_fiscal_code == user.fiscal_code:
        return
    changes = {"legal_rep_fiscal_code": [organisation.legal_rep_fiscal_code, user.fiscal_code]}
    organisation.legal_rep_fiscal_code = user.fiscal_code
    audit.record(
        user,
        "organisation.legal_rep_from_spid",
        "organisation",
        organisation.id,
        now,
        label=organisation.name,
        changes=changes,
    )


@transactional
def check_fiscal_status(organisation_id: int, actor: User, now: datetime) -> Organisation:
    """Staff have checked the declared fiscal status against its register (RUNTS, Anagrafe delle
    ONLUS, the regional registers): from now on receipts print the art. 83 note where the status
    qualifies. Audit-logged. Raises ``NO_FISCAL_STATUS`` when none is declared."""
    organisation = db.session.get(Organisation, organisation_id, with_for_update=True)
    if organisation is None or organisation.fiscal_status is None:
        raise DomainError(OrganisationError.NO_FISCAL_STATUS)
    before = organisation.fiscal_status_checked_at
    organisation.fiscal_status_checked_at = now
    since = organisation.fiscal_status_since
    audit.record(
        actor,
        "organisation.fiscal_check",
        "organisation",
        organisation.id,
        now,
        label=organisation.name,
        changes={
            "fiscal_status": [None, organisation.fiscal_status.value],
            "fiscal_status_since": [None, since.isoformat() if since else None],
            "fiscal_status_checked_at": [before.isoformat() if before else None, now.isoformat()],
        },
    )
    return organisation
