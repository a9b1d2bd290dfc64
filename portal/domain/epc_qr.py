"""A bank transfer as people and banking apps read it: the IBAN in groups of four, and what the EPC
QR code carries.

The EPC QR code (European Payments Council, EPC069-12 "Quick Response Code: guidelines to enable
data capture for the initiation of a SEPA credit transfer") is the code banking apps scan to fill
in a transfer. Its content, one element a line:

    BCD                       service tag
    002                       version (002: the BIC may be left out within the EEA)
    1                         character set (1: UTF-8)
    SCT                       identification: SEPA credit transfer
    <BIC>                     optional in version 002
    <beneficiary>             at most 70 characters
    <IBAN>                    electronic format, at most 34 characters
    EUR<amount>               0.01 to 999999999.99 euros
    <purpose>                 empty
    <structured reference>    empty: the pledge's reference is not an ISO 11649 (RF) one
    <remittance text>         at most 140 characters: the pledge's reference

segno's `helpers.make_epc_qr` writes those lines and draws the code from `EpcTransfer.segno_arguments`;
this module decides what goes in them, and refuses what the standard does not allow rather than let
a banking app fill in a wrong transfer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

SERVICE_TAG = "BCD"
VERSION = "002"
CHARACTER_SET = 1  # UTF-8: the beneficiary's name may hold any letter (and "–")
IDENTIFICATION = "SCT"
ENCODING = "utf-8"

MAX_BENEFICIARY = 70
MAX_REMITTANCE_TEXT = 140
MIN_AMOUNT_CENTS = 1
MAX_AMOUNT_CENTS = 999_999_999_99

_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")
_BIC = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
_SPACES = re.compile(r"\s+")


def electronic_iban(iban: str) -> str:
    """The IBAN as a machine reads it: capitals, no spaces ("IT60X0542811101000000123456"); what the
    copy button copies and the QR code carries."""
    return _SPACES.sub("", iban).upper()


def grouped_iban(iban: str) -> str:
    """The IBAN as people read it, in groups of four (the paper format of ISO 13616):
    "IT60 X054 2811 1010 0000 0123 456"."""
    compact = electronic_iban(iban)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


@dataclass(frozen=True)
class EpcTransfer:
    """What an EPC QR code carries for one pledge."""

    beneficiary: str
    iban: str  # electronic format
    bic: str | None
    amount: Decimal  # euros
    remittance_text: str

    def segno_arguments(self) -> dict[str, object]:
        """Keyword arguments of `segno.helpers.make_epc_qr`, in version 002 and UTF-8."""
        return {
            "name": self.beneficiary,
            "iban": self.iban,
            "bic": self.bic,
            "amount": self.amount,
            "text": self.remittance_text,
            "encoding": ENCODING,
        }


def epc_transfer(
    *, beneficiary: str, iban: str, amount_cents: int, reference: str, bic: str | None = None
) -> EpcTransfer:
    """The EPC QR code's content for a pledge: the portal's account (beneficiary, IBAN, BIC if
    configured), the pledge's amount in euros and its reference as the remittance text.

    Raises ValueError for what the standard does not allow (a name too long, a malformed IBAN or BIC,
    an amount out of range): a configuration error, never a code a bank would misread.
    """
    name = beneficiary.strip()
    if not 0 < len(name) <= MAX_BENEFICIARY:
        raise ValueError(f"the beneficiary must have 1 to {MAX_BENEFICIARY} characters")
    account = electronic_iban(iban)
    if not _IBAN.fullmatch(account):
        raise ValueError("not an IBAN")
    code = electronic_iban(bic) if bic else None
    if code is not None and not _BIC.fullmatch(code):
        raise ValueError("not a BIC")
    if not MIN_AMOUNT_CENTS <= amount_cents <= MAX_AMOUNT_CENTS:
        raise ValueError("the amount is outside what a SEPA credit transfer in a QR code allows")
    text = reference.strip()
    if not 0 < len(text) <= MAX_REMITTANCE_TEXT:
        raise ValueError(f"the remittance text must have 1 to {MAX_REMITTANCE_TEXT} characters")
    return EpcTransfer(
        beneficiary=name,
        iban=account,
        bic=code,
        amount=Decimal(amount_cents) / 100,
        remittance_text=text,
    )
