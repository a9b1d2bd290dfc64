"""Reading amounts of euros typed by people, in Italian or English notation."""

from __future__ import annotations

import re
from enum import StrEnum

from portal.domain import DomainError


class AmountError(StrEnum):
    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"


# Digits with optional separators; signs, letters and exponents are refused.
_SHAPE = re.compile(r"^\d[\d.,]*$")
MAX_INPUT_LENGTH = 32


def _is_grouped(integer_part: str, sep: str) -> bool:
    return re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", integer_part) is not None


def parse_euros(text: str) -> int:
    """Return the amount in integer cents.

    Accepted: ``20000``, ``20.000`` and ``20.000,50`` (Italian), ``20,000`` and
    ``20,000.50`` (English), ``20000,50`` / ``20000.50``, with an optional ``€`` or
    ``EUR`` and spaces. With both separators the last one is the decimal mark;
    with one separator used once and followed by exactly three digits it groups
    thousands (``20.000`` and ``20,000`` are both twenty thousand). At most two
    decimals. Raises ``DomainError`` with ``AmountError.EMPTY`` or ``NOT_A_NUMBER``.
    """
    cleaned = (text or "").strip()
    if len(cleaned) > MAX_INPUT_LENGTH:
        raise DomainError(AmountError.NOT_A_NUMBER)
    cleaned = re.sub(r"(?i)^(€|eur)\s*|\s*(€|eur)$", "", cleaned)
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", cleaned)
    if not cleaned:
        raise DomainError(AmountError.EMPTY)
    if not _SHAPE.match(cleaned) or not cleaned[-1].isdigit():
        raise DomainError(AmountError.NOT_A_NUMBER)

    integer, decimals = _split(cleaned)
    if not integer.isdigit() or (decimals and not decimals.isdigit()) or len(decimals) > 2:
        raise DomainError(AmountError.NOT_A_NUMBER)
    return int(integer) * 100 + int(decimals.ljust(2, "0") or 0)


def _split(cleaned: str) -> tuple[str, str]:
    """Split into (integer digits, decimal digits), removing thousands separators."""
    has_dot, has_comma = "." in cleaned, "," in cleaned
    if has_dot and has_comma:
        decimal_mark = max(".", ",", key=cleaned.rfind)
        group_mark = "," if decimal_mark == "." else "."
        integer, _, decimals = cleaned.rpartition(decimal_mark)
        if decimal_mark in integer or not _is_grouped(integer, group_mark):
            raise DomainError(AmountError.NOT_A_NUMBER)
        return integer.replace(group_mark, ""), decimals
    mark = "." if has_dot else "," if has_comma else ""
    if not mark:
        return cleaned, ""
    if cleaned.count(mark) > 1 or len(cleaned.rpartition(mark)[2]) == 3:
        if not _is_grouped(cleaned, mark):
            raise DomainError(AmountError.NOT_A_NUMBER)
        return cleaned.replace(mark, ""), ""
    integer, _, decimals = cleaned.partition(mark)
    return integer, decimals


def to_input(cents: int | None) -> str:
    """An amount as people type it back into a form, read again by `parse_euros`: 150050 → "1500,50"."""
    if cents is None:
        return ""
    euros, rest = divmod(cents, 100)
    return f"{euros},{rest:02d}" if rest else str(euros)
