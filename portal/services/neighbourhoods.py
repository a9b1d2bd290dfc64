"""Milan's Municipi and NIL neighbourhoods, from the Comune's open data carried in portal/data/milano."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "milano" / "nil.csv"


@dataclass(frozen=True)
class Nil:
    id: int
    name: str
    municipio: int

    @property
    def label(self) -> str:
        """The official upper-case name, readable: "GIARDINI P.TA VENEZIA" → "Giardini P.ta Venezia"."""
        return " ".join(word.capitalize() if not word.startswith("(") else word.lower() for word in self.name.split())


@lru_cache(maxsize=1)
def all_nil() -> dict[int, Nil]:
    with DATA.open(encoding="utf-8") as handle:
        rows = [Nil(int(row["nil_id"]), row["nil_name"], int(row["municipio"])) for row in csv.DictReader(handle)]
    return {nil.id: nil for nil in sorted(rows, key=lambda n: (n.municipio, n.name))}


def nil_or_none(nil_id: int | None) -> Nil | None:
    return all_nil().get(nil_id) if nil_id is not None else None


def grouped_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """NIL grouped by Municipio, for a <select> with <optgroup>s that works without JavaScript."""
    groups: dict[int, list[tuple[int, str]]] = {}
    for nil in all_nil().values():
        groups.setdefault(nil.municipio, []).append((nil.id, nil.label))
    return [(f"Municipio {number}", groups[number]) for number in sorted(groups)]
