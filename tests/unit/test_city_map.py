"""The drawing of the city map: the right areas, well-formed paths inside their views, small, and reproducible."""

from __future__ import annotations

import csv
import importlib.util
import re
from pathlib import Path

import shapely

from portal.services.places.city_map import MAP, Area, city_map, municipio_areas, municipio_of_nil, nil_areas

ROOT = Path(__file__).resolve().parents[2]
NIL_CSV = ROOT / "portal" / "data" / "milano" / "nil.csv"

NUMBER = r"\d+(?:\.\d)?"
PAIR = rf"({NUMBER}),({NUMBER})"
PATH = re.compile(rf"(?:M{PAIR}L{PAIR}(?: {PAIR})+Z)+")
RING = re.compile(rf"M{PAIR}L[^Z]*Z")


def _build_map_module():
    spec = importlib.util.spec_from_file_location("build_map", ROOT / "scripts" / "build_map.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _areas() -> list[Area]:
    return [*city_map().municipi, *city_map().nil]


def _points(d: str) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in re.findall(rf"({NUMBER}),({NUMBER})", d)]


def _shape(d: str) -> shapely.Geometry:
    """The area a path draws: each outline (counter-clockwise in shapely's terms) followed by its holes."""
    polygons: list[tuple[shapely.LinearRing, list[shapely.LinearRing]]] = []
    for ring_data in RING.finditer(d):
        ring = shapely.LinearRing(_points(ring_data.group()))
        if ring.is_ccw:
            polygons.append((ring, []))
        else:
            polygons[-1][1].append(ring)
    return shapely.MultiPolygon([shapely.Polygon(shell, holes) for shell, holes in polygons])


def _inside(point: tuple[float, float], viewbox: tuple[int, int, int, int]) -> bool:
    left, top, width, height = viewbox
    return left <= point[0] <= left + width and top <= point[1] <= top + height


def test_nine_municipi_numbered_1_to_9():
    assert [(area.id, area.name, area.municipio) for area in municipio_areas()] == [
        (number, f"Municipio {number}", number) for number in range(1, 10)
    ]


def test_the_nil_are_those_of_nil_csv():
    with NIL_CSV.open(encoding="utf-8") as handle:
        rows = sorted((int(row["nil_id"]), row["nil_name"], int(row["municipio"])) for row in csv.DictReader(handle))
    assert len(rows) == 88
    assert [(area.id, area.name, area.municipio) for area in city_map().nil] == rows


def test_nil_by_municipio():
    assert [area.id for area in nil_areas(1)] == [1, 2, 3, 4, 7, 8]
    assert sum(len(nil_areas(number)) for number in range(1, 10)) == 88
    assert nil_areas(10) == ()
    assert municipio_of_nil(27) == 5
    assert municipio_of_nil(999) is None


def test_every_path_is_well_formed():
    for area in _areas():
        assert PATH.fullmatch(area.d), area.name


def test_every_area_is_a_valid_polygon_holding_its_label():
    for area in _areas():
        shape = _shape(area.d)
        assert shape.is_valid, area.name
        assert shape.contains(shapely.Point(area.label)), area.name


def test_neighbouring_municipi_share_their_edges():
    assert shapely.coverage_is_valid([_shape(area.d) for area in municipio_areas()])


def test_everything_lies_inside_its_viewboxes():
    whole = city_map().viewbox
    assert whole[:3] == (0, 0, 1000)
    for area in _areas():
        assert all(_inside(point, whole) for point in _points(area.d)), area.name
        assert all(_inside(point, area.viewbox) for point in _points(area.d)), area.name
        assert _inside(area.label, area.viewbox), area.name
        left, top, width, height = area.viewbox
        assert _inside((left, top), whole) and _inside((left + width, top + height), whole), area.name


def test_a_nil_is_shown_in_its_municipio_view():
    views = {area.id: area.viewbox for area in municipio_areas()}
    for area in city_map().nil:
        assert area.viewbox == views[area.municipio], area.name


def test_the_drawing_stays_close_to_the_source():
    build_map = _build_map_module()
    _, municipi = build_map.read_layer("municipi.geojson", "MUNICIPIO")
    _, nil = build_map.read_layer("nil.geojson", "ID_NIL")
    (municipi, nil), _height = build_map.to_viewbox([municipi, nil])
    for source, area in zip([*municipi, *nil], _areas(), strict=True):
        assert shapely.hausdorff_distance(source, _shape(area.d)) < 2, area.name  # 2 units ≈ 37 m


def test_the_file_is_small():
    assert MAP.stat().st_size <= 120_000


def test_rebuilding_gives_the_same_bytes(tmp_path):
    _build_map_module().main(tmp_path / "map.json")
    assert (tmp_path / "map.json").read_bytes() == MAP.read_bytes()


def test_nil_names_read_as_people_write_them():
    from portal.services.places.neighbourhoods import all_nil

    labels = {nil.label for nil in all_nil().values()}
    for expected in (
        "Giardini P.ta Venezia",
        "Città Studi",
        "Monluè - Ponte Lambro",
        "XXII Marzo",
        "Niguarda - Ca' Granda - Prato Centenaro - Q.re Fulvio Testi",
        "Ronchetto sul Naviglio - Q.re Lodovico il Moro",
        "Parco delle Abbazie",
        "QT 8",
    ):
        assert expected in labels
