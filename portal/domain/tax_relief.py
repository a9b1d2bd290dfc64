"""Which donations give the supporter tax relief (art. 83, Codice del Terzo Settore, d.lgs. 117/2017).

The organisation's fiscal status decides it, at the donation's date. The dated rules that say which
status qualifies when live here as data.
"""

from __future__ import annotations

import enum


class FiscalStatus(enum.Enum):
    """What an organisation is for the tax authority, as it declares it and staff check it."""

    ETS_RUNTS = "ets_runts"  # an Ente del Terzo Settore enrolled in the RUNTS
    ONLUS = "onlus"  # in the Anagrafe delle ONLUS (until the transition ends)
    ODV = "odv"  # Organizzazione di volontariato, in its regional register
    APS = "aps"  # Associazione di promozione sociale, in its register
    OTHER = "other"  # none of these: no tax relief under art. 83
