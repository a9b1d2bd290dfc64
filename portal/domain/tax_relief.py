"""Which donations give the supporter tax relief (art. 83, Codice del Terzo Settore, d.lgs. 117/2017).

The organisation's fiscal status decides it, at the donation's date. The dated rules that say which
status qualifies when live here as data (`WINDOWS`), with what the relief is (`Relief`); the
receipt's note and the CSV for the Agenzia delle Entrate ask `relief_at`, nothing else decides it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class FiscalStatus(enum.Enum):
    """What an organisation is for the tax authority, as it declares it and staff check it."""

    ETS_RUNTS = "ets_runts"  # an Ente del Terzo Settore enrolled in the RUNTS
    ONLUS = "onlus"  # in the Anagrafe delle ONLUS (until the transition ends)
    ODV = "odv"  # Organizzazione di volontariato, in its regional register
    APS = "aps"  # Associazione di promozione sociale, in its register
    OTHER = "other"  # none of these: no tax relief under art. 83

    @property
    def needs_date(self) -> bool:
        """A status that may qualify is declared with the date it holds from (enrolment)."""
        return self is not FiscalStatus.OTHER


# Art. 83 applies from the tax period after the one in progress on 31 December 2017
# (art. 104, c. 1, d.lgs. 117/2017): earlier donations fall under other rules, not this note.
ART_83_FROM = date(2018, 1, 1)
# The Registro Unico Nazionale del Terzo Settore became operational on 23 November 2021
# (the figure; decreto direttoriale MLPS n. 561 of 26 October 2021).
RUNTS_OPENED = date(2021, 11, 23)
# The last day of the transition in which an ONLUS in its Anagrafe still qualifies (art. 104,
# c. 1-2, d.lgs. 117/2017: until the tax period in which the fiscal title X of the Code takes
# effect, after the European Commission's authorisation). This date is NOT in the project's
# sources: it is modelled as the end of the 2025 tax period (title X in effect from 1 January
# 2026). Staff must confirm it; changing it here changes every receipt and export.
TRANSITION_ENDS = date(2025, 12, 31)

CREDIT_CAP_CENTS = 3_000_000  # the credit applies to donations up to 30.000 € a year
DEDUCTION_PERCENT_OF_INCOME = 10


@dataclass(frozen=True)
class Window:
    """A status qualifies for donations made from `starts` to `ends` (both included; None: open)."""

    starts: date
    ends: date | None
    credit_percent: int


# Which status qualifies when. ODV and APS keep qualifying after the RUNTS opened: their regional
# registers moved into the RUNTS, where they are sections of their own.
WINDOWS: dict[FiscalStatus, Window] = {
    FiscalStatus.ETS_RUNTS: Window(RUNTS_OPENED, None, 30),
    FiscalStatus.ONLUS: Window(ART_83_FROM, TRANSITION_ENDS, 30),
    FiscalStatus.ODV: Window(ART_83_FROM, None, 35),
    FiscalStatus.APS: Window(ART_83_FROM, None, 30),
}


@dataclass(frozen=True)
class Relief:
    """What the supporter may claim: a tax credit of `credit_percent` on donations up to
    `credit_cap_cents` a year, or a deduction up to `deduction_percent` of their income; for
    traceable payments only (a card or a bank transfer, the only ways the portal takes)."""

    status: FiscalStatus
    credit_percent: int
    credit_cap_cents: int = CREDIT_CAP_CENTS
    deduction_percent: int = DEDUCTION_PERCENT_OF_INCOME


def relief_at(status: FiscalStatus | None, since: date | None, donated_on: date) -> Relief | None:
    """The relief a donation made on `donated_on` (a day in Rome) gives, when the organisation had
    `status` from `since`; None when it gives none. A status without its date, or held only after
    the donation, gives none: the status at the donation's date must be known."""
    window = WINDOWS.get(status) if status is not None else None
    if window is None or since is None:
        return None
    starts = max(window.starts, since)
    if donated_on < starts or (window.ends is not None and donated_on > window.ends):
        return None
    return Relief(status, window.credit_percent)


def receipt_due(pledge_confirmed: bool, campaign_succeeded: bool) -> bool:
    """A receipt is issued for a confirmed pledge of a campaign that succeeded: only then does the
    money reach the organisation (a not funded campaign's pledges are refunded)."""
    return pledge_confirmed and campaign_succeeded
