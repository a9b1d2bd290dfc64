"""Build portal/data/milano/map.json: a small SVG drawing of Milan's 9 Municipi and 88 NIL.

A build-time tool: it needs shapely (requirements-dev.txt); the portal only reads its output
(portal/services/places/city_map.py). Run from the repository root after changing the source polygons:

    .venv/bin/python scripts/build_map.py

The same input always gives the same bytes. portal/data/milano/MAP.md describes the transformation.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import shapely
from shapely.ops import polylabel

DATA = Path(__file__).resolve().parents[1] / "portal" / "data" / "milano"
OUTPUT = DATA / "map.json"
SOURCE = "Fonte: Comune di Milano – dati.comune.milano.it (CC BY 4.0); elaborazione."

LAT0 = 45.46  # degrees: Milan's latitude, where the local plane keeps true proportions
WIDTH = 1000  # the viewBox's width; its height follows the city's proportions
MARGIN = 5  # viewBox units kept free around the drawing, so that outlines are not clipped
TOLERANCE = 1.0  # viewBox units (1 unit ≈ 18.7 m): vertices whose triangle is smaller than TOLERANCE² are dropped
GRID = 0.1  # coordinates are snapped to this grid (1 decimal)

ViewBox = list[int]


def read_layer(name: str, key: str) -> tuple[list[dict], np.ndarray]:
    """The features of one geojson file sorted by `key`, and their geometries in the same order."""
    features = json.loads((DATA / name).read_text(encoding="utf-8"))["features"]
    features.sort(key=lambda feature: feature["properties"][key])
    geometries = shapely.from_geojson([json.dumps(feature["geometry"]) for feature in features])
    return [feature["properties"] for feature in features], geometries


def to_viewbox(layers: list[np.ndarray]) -> tuple[list[np.ndarray], int]:
    """Project lon/lat to a local equirectangular plane (y grows southwards, as in SVG), then scale
    every layer alike to a viewBox WIDTH wide with MARGIN free on each side. Returns the layers and the height."""
    plane = np.array([math.cos(math.radians(LAT0)), -1.0])
    projected = [shapely.transform(layer, lambda lonlat: lonlat * plane) for layer in layers]
    min_x, min_y, max_x, max_y = shapely.total_bounds(np.concatenate(projected))
    scale = (WIDTH - 2 * MARGIN) / (max_x - min_x)
    height = math.ceil((max_y - min_y) * scale + 2 * MARGIN)
    origin = np.array([min_x, min_y])
    return [shapely.transform(layer, lambda xy: (xy - origin) * scale + MARGIN) for layer in projected], height


def simplify(layer: np.ndarray) -> np.ndarray:
    """Simplify a layer as a coverage (Visvalingam–Whyatt): an edge shared by two areas stays shared, so no gaps
    or overlaps appear between neighbours. Then snap to GRID, and wind every hole opposite to its outline, so that
    both SVG fill-rules leave holes empty."""
    simplified = shapely.set_precision(shapely.coverage_simplify(layer, TOLERANCE), GRID)
    return shapely.orient_polygons(simplified)


def coordinate(value: float) -> str:
    """A coordinate on the GRID, as short as possible: 512.0 → "512", 512.30000001 → "512.3"."""
    return f"{value:.1f}".removesuffix(".0")


def path_data(geometry: shapely.Geometry) -> str:
    """SVG path data of a Polygon or MultiPolygon: one absolute "M x,y L x,y x,y … Z" per ring."""
    rings = []
    for polygon in shapely.get_parts(geometry):
        for ring in [polygon.exterior, *polygon.interiors]:
            first, *others = (f"{coordinate(x)},{coordinate(y)}" for x, y in ring.coords[:-1])
            rings.append(f"M{first}L{' '.join(others)}Z")
    return "".join(rings)


def label(geometry: shapely.Geometry) -> list[float]:
    """The point farthest from the outline (the centre of the largest inscribed circle), to place a label."""
    point = polylabel(geometry, tolerance=GRID)
    return [round(point.x, 1), round(point.y, 1)]


def bounding_viewbox(geometries: list[shapely.Geometry]) -> ViewBox:
    """The smallest whole-unit viewBox holding the geometries, with MARGIN around them."""
    min_x, min_y, max_x, max_y = shapely.total_bounds(geometries)
    left, top = math.floor(min_x - MARGIN), math.floor(min_y - MARGIN)
    return [left, top, math.ceil(max_x + MARGIN) - left, math.ceil(max_y + MARGIN) - top]


def build() -> dict:
    """The drawing as a JSON-ready dict, areas sorted by Municipio number and NIL id."""
    municipi_properties, municipi = read_layer("municipi.geojson", "MUNICIPIO")
    nil_properties, nil = read_layer("nil.geojson", "ID_NIL")
    (municipi, nil), height = to_viewbox([municipi, nil])
    municipi, nil = simplify(municipi), simplify(nil)

    numbers = [properties["MUNICIPIO"] for properties in municipi_properties]
    # The zoomed view of a Municipio shows its NIL whole, and NIL may reach into a neighbouring Municipio.
    viewboxes = {
        number: bounding_viewbox(
            [municipio]
            + [area for area, properties in zip(nil, nil_properties, strict=True) if properties["municipio"] == number]
        )
        for number, municipio in zip(numbers, municipi, strict=True)
    }
    return {
        "source": SOURCE,
        "viewbox": [0, 0, WIDTH, height],
        "municipi": [
            {
                "number": number,
                "name": f"Municipio {number}",
                "d": path_data(area),
                "label": label(area),
                "viewbox": viewboxes[number],
            }
            for number, area in zip(numbers, municipi, strict=True)
        ],
        "nil": [
            {
                "id": properties["ID_NIL"],
                "name": properties["NIL"],
                "municipio": properties["municipio"],
                "d": path_data(area),
                "label": label(area),
                "viewbox": viewboxes[properties["municipio"]],
            }
            for properties, area in zip(nil_properties, nil, strict=True)
        ],
    }


def to_json(drawing: dict) -> str:
    """JSON with one area per line, so that a rebuild's diff shows which areas changed."""
    members = []
    for key, value in drawing.items():
        if key in ("municipi", "nil"):
            text = "[\n" + ",\n".join(f"  {json.dumps(area, ensure_ascii=False)}" for area in value) + "\n ]"
        else:
            text = json.dumps(value, ensure_ascii=False)
        members.append(f" {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(members) + "\n}\n"


def main(output: Path = OUTPUT) -> None:
    """Write the drawing to `output` (UTF-8)."""
    output.write_text(to_json(build()), encoding="utf-8")
    print(f"{output}: {output.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
