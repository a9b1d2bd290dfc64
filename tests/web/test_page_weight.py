"""First load of any page ≤ 150 KB gzipped: HTML, CSS, JavaScript and every font the CSS declares."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from tests.pages import CASES

STATIC = Path(__file__).resolve().parents[2] / "portal" / "static"
BUDGET = 150 * 1024


def gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def first_load_bytes(client, path: str) -> dict[str, int]:
    html = client.get(path).data
    sizes = {path: gzipped(html)}
    for asset in re.findall(rb'(?:href|src)="/static/([^"]+\.(?:css|js))"', html):
        sizes[asset.decode()] = gzipped((STATIC / asset.decode()).read_bytes())
    for css in [name for name in sizes if name.endswith(".css")]:
        fonts = set(re.findall(r"url\(['\"]?([^)'\"]+\.woff2)['\"]?\)", (STATIC / css).read_text()))
        assert fonts, "the stylesheet declares no web font: is Titillium Web missing?"
        for font in fonts:
            font_path = (STATIC / Path(css).parent / font).resolve()
            sizes[font_path.name] = font_path.stat().st_size  # woff2 is already compressed
    return sizes


@pytest.mark.parametrize(
    ("case", "clock", "path"), CASES[: len(CASES) // 2], ids=[c[0] for c in CASES[: len(CASES) // 2]]
)
def test_first_load_fits_the_budget(client, at, case, clock, path):
    at(clock)
    sizes = first_load_bytes(client, path)
    total = sum(sizes.values())
    assert total <= BUDGET, f"{total / 1024:.1f} KB: {sizes}"


def test_the_campaign_pages_fit_the_budget_with_a_full_gallery(app, client, at):
    """Twelve cards with the map of the Municipi, a campaign with 50 supporters, the tracker.

    Measured: gallery 101.8 KB (the map's SVG is most of the HTML), one Municipio 93.8 KB,
    campaign page 74.4 KB, tracker 74.2 KB.
    """
    from tests.campaigns import NOVEMBER, confirm, make_campaign, pledge

    at(NOVEMBER)
    ids = [make_campaign(app, f"Progetto {n}", municipio=n % 9 + 1, nil_id=None) for n in range(13)]
    for n in range(50):
        confirm(app, pledge(app, ids[0], 20_00, name=f"Sostenitore {n}"), 20_00)
    for path in (
        "/it/progetti",
        "/it/progetti?municipio=1",
        "/it/progetti/progetto-0",
        "/it/bando/2020/cofinanziamento",
    ):
        total = sum(first_load_bytes(client, path).values())
        assert total <= BUDGET, f"{path}: {total / 1024:.1f} KB"
