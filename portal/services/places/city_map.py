"""The drawing of Milan's Municipi and NIL for the server-rendered SVG map: no tiles, no outside requests.

portal/data/milano/map.json is built ahead of time from the Comune's open data by scripts/build_map.py
(see portal/data/milano/MAP.md); here it is only read, once per process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MAP = Path(__file__).resolve().parents[2] / "data" / "milano" / "map.json"

ViewBox = tuple[int, int, int, int]


@dataclass(frozen=True)
class Area:
    """One Municipio or NIL, in the coordinates of the city's viewBox."""

    id: int  # the Municipio's number (1–9) or the NIL's official ID_NIL
    name: str  # "Municipio 3", or the NIL's official upper-case name (as in nil.csv)
    municipio: int  # the Municipio itself, or the NIL's prevalent Municipio
    d: str  # SVG path data, absolute M/L/Z; holes wind opposite to their outline (either fill-rule works)
    label: tuple[float, float]  # a point well inside the area, where its name or number can go
    viewbox: ViewBox  # the zoomed view of its Municipio, which holds every NIL of that Municipio whole


@dataclass(frozen=True)
class CityMap:
    source: str  # the CC BY 4.0 attribution, to show with the map
    viewbox: ViewBox  # the whole city: "0 0 width height"
    municipi: tuple[Area, ...]  # by number
    nil: tuple[Area, ...]  # by id


@lru_cache(maxsize=1)
def city_map() -> CityMap:
    raw = json.loads(MAP.read_text(encoding="utf-8"))
    return CityMap(
        source=raw["source"],
        viewbox=tuple(raw["viewbox"]),
        municipi=tuple(_area(item, area_id=item["number"], municipio=item["number"]) for item in raw["municipi"]),
        nil=tuple(_area(item, area_id=item["id"], municipio=item["municipio"]) for item in raw["nil"]),
    )


def _area(item: dict, *, area_id: int, municipio: int) -> Area:
    return Area(
        id=area_id,
        name=item["name"],
        municipio=municipio,
        d=item["d"],
        label=tuple(item["label"]),
        viewbox=tuple(item["viewbox"]),
    )


def municipio_areas() -> tuple[Area, ...]:
    """The Municipi, by number."""
    return city_map().municipi


def nil_areas(municipio: int) -> tuple[Area, ...]:
    """The NIL of one Municipio (by prevalent area, as in nil.csv), by id; empty for a number that is no Municipio."""
    return tuple(area for area in city_map().nil if area.municipio == municipio)


def municipio_of_nil(nil_id: int) -> int | None:
    """The Municipio a NIL is drawn in (its prevalent one), or None for an unknown id."""
    return next((area.municipio for area in city_map().nil if area.id == nil_id), None)
