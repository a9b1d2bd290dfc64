"""Milan's Municipi and NIL neighbourhoods, from the Comune's open data carried in portal/data/milano."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "milano" / "nil.csv"


@dataclass(frozen=True)
class Nil:
    id: int
    name: str
    municipio: int

    @cached_property
    def label(self) -> str:
        """The official upper-case name, readable: "GIARDINI P.TA VENEZIA" → "Giardini P.ta Venezia",
        "CITTA' STUDI" → "Città Studi", "XXII MARZO" → "XXII Marzo", "RONCHETTO SUL NAVIGLIO" →
        "Ronchetto sul Naviglio" (the open data writes accents as apostrophes; "Ca'" is a real one)."""
        return " ".join(_readable(word, first=index == 0) for index, word in enumerate(self.name.split()))


_SMALL_WORDS = frozenset(
    ["AL", "ALLA", "DA", "DEI", "DEL", "DELLA", "DELLE", "DEGLI", "DI", "E", "IL", "IN", "LA", "SUL"]
)
_ROMAN = re.compile(r"[IVXLC]+")
_ACCENTED = {"A": "à", "E": "è", "I": "ì", "O": "ò", "U": "ù"}


def _readable(word: str, *, first: bool) -> str:
    if word.startswith("("):
        return word.lower()
    if word in _SMALL_WORDS and not first:
        return word.lower()
    if word == "QT" or (_ROMAN.fullmatch(word) and word not in _SMALL_WORDS):
        return word
    if len(word) > 3 and word.endswith("'") and word[-2] in _ACCENTED:
        return word[:-2].capitalize() + _ACCENTED[word[-2]]
    return word.capitalize()


@lru_cache(maxsize=1)
def all_nil() -> dict[int, Nil]:
    with DATA.open(encoding="utf-8") as handle:
        rows = [Nil(int(row["nil_id"]), row["nil_name"], int(row["municipio"])) for row in csv.DictReader(handle)]
    return {nil.id: nil for nil in sorted(rows, key=lambda n: (n.municipio, n.name))}


@lru_cache(maxsize=1)
def municipi() -> tuple[int, ...]:
    """The Municipi's numbers, from the data (every NIL names its Municipio): the one list of them."""
    return tuple(sorted({nil.municipio for nil in all_nil().values()}))


def nil_or_none(nil_id: int | None) -> Nil | None:
    return all_nil().get(nil_id) if nil_id is not None else None


@lru_cache(maxsize=1)
def grouped_choices() -> tuple[tuple[str, tuple[tuple[int, str], ...]], ...]:
    """NIL grouped by Municipio, for a <select> with <optgroup>s that works without JavaScript."""
    groups: dict[int, list[tuple[int, str]]] = {}
    for nil in all_nil().values():
        groups.setdefault(nil.municipio, []).append((nil.id, nil.label))
    return tuple((f"Municipio {number}", tuple(groups[number])) for number in sorted(groups))
