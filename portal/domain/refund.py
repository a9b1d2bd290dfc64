"""Giving money back to the supporters of a campaign that was not funded.

A paid pledge of a campaign that closes without its grant gets one refund. A card payment goes back
through the provider that took it, automatically; a bank transfer goes back by SEPA credit transfer
to the account the supporter gives through a secret link (the IBAN checked here). A provider that
cannot be reached, or refuses, is asked again later, each time after a longer pause, always with
the same idempotency key, so the money never goes back twice.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

from portal.domain import DomainError
from portal.domain.timeline import require_aware

# The first retry after a failure, doubled after each further failure, never more than a day apart.
FIRST_RETRY = timedelta(minutes=15)
LONGEST_PAUSE = timedelta(hours=24)
# After so many failed attempts the portal stops asking by itself: staff see the error and retry.
MAX_AUTOMATIC_ATTEMPTS = 8
# A claim without an answer this old (the run stopped between the call and recording its answer)
# is asked again, with the same idempotency key: the provider answers with the same refund.
STALE_CLAIM = timedelta(hours=1)

# The countries and territories of the SEPA schemes whose accounts have their own IBAN country code
# (the EPC list of countries and territories in the geographical scope of the SEPA schemes, EPC409-09:
# the EU and EEA, Switzerland, the United Kingdom, Monaco, San Marino, Andorra,
# the Vatican, Albania, Moldova, Montenegro, North Macedonia; the French overseas departments,
# the Channel Islands and Åland use the IBANs of FR, GB and FI).
# fmt: off
SEPA_COUNTRIES = frozenset({
    "AD", "AL", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR",
    "GB", "GI", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MD",
    "ME", "MK", "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK", "SM", "VA",
})
# fmt: on
MAX_HOLDER_LENGTH = 70  # the name of the creditor in a pain.001


class IbanError(enum.StrEnum):
    EMPTY = "empty"
    MALFORMED = "malformed"  # not an IBAN: length, format of its country or check digits wrong
    NOT_SEPA = "not_sepa"  # an IBAN outside the SEPA area: a SEPA credit transfer cannot reach it
    HOLDER_EMPTY = "holder_empty"
    HOLDER_TOO_LONG = "holder_too_long"


def normalise_iban(value: str) -> str:
    """The IBAN as the bank file writes it (no spaces, capitals), or ``DomainError(IbanError…)``."""
    compact = stdnum_iban.compact(value or "")
    if not compact:
        raise DomainError(IbanError.EMPTY)
    try:
        stdnum_iban.validate(compact)
    except ValidationError:
        raise DomainError(IbanError.MALFORMED) from None
    if compact[:2] not in SEPA_COUNTRIES:
        raise DomainError(IbanError.NOT_SEPA, country=compact[:2])
    return compact


def normalise_holder(value: str) -> str:
    """The account holder's name, its spaces tidied, or ``DomainError(IbanError…)``."""
    holder = " ".join((value or "").split())
    if not holder:
        raise DomainError(IbanError.HOLDER_EMPTY)
    if len(holder) > MAX_HOLDER_LENGTH:
        raise DomainError(IbanError.HOLDER_TOO_LONG, maximum=MAX_HOLDER_LENGTH)
    return holder


def masked_iban(iban: str) -> str:
    """What a page shows of an IBAN given before: the country, the check digits and the last four."""
    return f"{iban[:4]} •••• {iban[-4:]}" if len(iban) > 8 else "••••"


def through_provider(paid_by_provider: bool, provider: str | None, payment_id: str | None) -> bool:
    """A payment the provider took goes back through it, when the portal knows which provider and
    which payment; any other paid pledge goes back by bank transfer, to an IBAN the supporter gives."""
    return paid_by_provider and bool(provider) and bool(payment_id)


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to ask the provider again after the `attempts`-th failed attempt; None once the portal
    has tried `MAX_AUTOMATIC_ATTEMPTS` times (staff then retry by hand)."""
    require_aware(now)
    if attempts < 1:
        raise ValueError("retry_at is asked after a failed attempt")
    if attempts >= MAX_AUTOMATIC_ATTEMPTS:
        return None
    return now + min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_PAUSE)


def is_due(next_attempt_at: datetime | None, now: datetime) -> bool:
    """A provider refund waiting or failed is asked when its next attempt's time has come."""
    return next_attempt_at is not None and next_attempt_at <= now


def claim_is_stale(requested_at: datetime | None, now: datetime) -> bool:
    """A claim that never got its answer recorded (see `STALE_CLAIM`)."""
    return requested_at is not None and now - requested_at >= STALE_CLAIM
