"""Payment references: what a citizen copies into a bank transfer so that it pays their pledge.

A reference reads ``CC2020-7K3M9Q2X-9``: ``CC``, the edition's year, eight random symbols
and a check symbol. Symbols come from Crockford's base32 alphabet (digits and capital
letters without I, L, O and U), so the reference survives being read aloud or copied
by hand. People may type it in lower case, with or without spaces and hyphens, and
with O for 0 or I/L for 1: it still reads as the same reference.

The check symbol is Damm's algorithm over the 32 symbols of the year and the body,
with the quasigroup ``x * y = 2·(x XOR y)`` in GF(32) (modulo x⁵ + x² + 1). That
quasigroup is totally anti-symmetric with a zero diagonal, so every single wrong
symbol and every swap of two neighbours, the check symbol included, makes the
reference invalid: a typo is refused instead of paying someone else's pledge. Unlike
Crockford's mod-37 check symbols (``* ~ $ = U``), the check is one of the same 32
symbols, which every bank lets through in a transfer's description.
"""

from __future__ import annotations

import re
from functools import reduce

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TOKEN_BYTES = 5  # 40 random bits: eight symbols of five bits
MAX_TYPED_LENGTH = 64

_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_READ_AS_DIGITS = str.maketrans("OIL", "011")
_SEPARATOR = r"[\s\-\u2010-\u2015]"  # spaces, and hyphens or the dashes phones and word processors put instead
_SEPARATORS = re.compile(_SEPARATOR + "+")
_CANONICAL = re.compile(rf"CC([0-9]{{4}})([{ALPHABET}]{{8}})([{ALPHABET}])")
# "CC" then 13 letters or digits, separators anywhere; a lookahead, so overlapping candidates are all tried.
_CANDIDATE = re.compile(rf"(?=(CC(?:{_SEPARATOR}*[0-9A-Z]){{13}}))", re.IGNORECASE)


def _damm_step(interim: int, value: int) -> int:
    doubled = (interim ^ value) << 1
    return doubled ^ 0b100101 if doubled & 0b100000 else doubled


def check_symbol(symbols: str) -> str:
    """The check symbol of a string of base32 symbols (Damm, see the module's docstring)."""
    return ALPHABET[reduce(_damm_step, (_VALUE[symbol] for symbol in symbols), 0)]


def new_reference(edition_year: int, token: bytes) -> str:
    """A new reference for the edition, from `TOKEN_BYTES` random bytes (``secrets.token_bytes``).

    Equal tokens give equal references: the caller retries on the (rare) collision.
    """
    if not 1000 <= edition_year <= 9999:
        raise ValueError("the edition's year has four digits")
    if len(token) != TOKEN_BYTES:
        raise ValueError(f"a reference needs {TOKEN_BYTES} random bytes")
    number = int.from_bytes(token, "big")
    body = "".join(ALPHABET[(number >> shift) & 0b11111] for shift in range(35, -1, -5))
    return f"CC{edition_year}-{body}-{check_symbol(f'{edition_year}{body}')}"


def normalise_reference(text: str) -> str | None:
    """The canonical reference a person meant, or None if the text is not a valid reference.

    Case, spaces and hyphens do not matter, O reads as 0, I and L as 1.
    """
    if len(text) > MAX_TYPED_LENGTH:
        return None
    compact = _SEPARATORS.sub("", text).upper().translate(_READ_AS_DIGITS)
    match = _CANONICAL.fullmatch(compact)
    if match is None:
        return None
    year, body, check = match.groups()
    return f"CC{year}-{body}-{check}" if check_symbol(year + body) == check else None


def find_references(free_text: str) -> list[str]:
    """Every valid reference in a transfer's description, canonical, in order, without repeats.

    A reference is recognised only with its ``CC``; what follows may be split by spaces or
    hyphens (``Donazione CC2020 7K3M 9Q2X 9 per Lab Barona``).
    """
    found: list[str] = []
    for candidate in _CANDIDATE.finditer(free_text):
        reference = normalise_reference(candidate.group(1))
        if reference is not None and reference not in found:
            found.append(reference)
    return found


def find_reference(free_text: str) -> str | None:
    """The one reference in a transfer's description; None if there is none, or several
    different ones (the transfer cannot then be attributed to one pledge)."""
    found = find_references(free_text)
    return found[0] if len(found) == 1 else None
