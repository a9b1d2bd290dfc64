"""First load of any page ≤ 150 KB gzipped: HTML, CSS, JavaScript and every font the CSS declares."""

from __future__ import annotations

import gzip
import io
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


def photo_like(width: int, height: int) -> bytes:
    """A JPEG that compresses like a detailed outdoor photo (not like a flat test pattern): light and
    shade at two scales over soft colour. Its 960 px WebP weighs about 60 KB."""
    from PIL import Image

    broad = Image.effect_noise((width // 40, height // 40), 60).resize((width, height), Image.BICUBIC)
    detail = Image.effect_noise((width // 4, height // 4), 40).resize((width, height), Image.BICUBIC)
    light = Image.blend(broad, detail, 0.4)
    colour = Image.merge("RGB", [Image.effect_noise((4, 3), 80).resize((width, height), Image.BICUBIC) for _ in "RGB"])
    out = io.BytesIO()
    Image.blend(Image.merge("RGB", (light, light, light)), colour, 0.45).save(out, "JPEG", quality=92)
    return out.getvalue()


def test_a_campaign_with_photos_and_a_video_fits_the_budget_on_a_phone(app, client, at):
    """A 390 px phone at 2× picks the cover's 960 px WebP (sizes: 100vw - 1.5rem = 366 px → 732
    device pixels); the other photos are lazy, far below the fold, and the video's player comes only
    on a click: the first load is the HTML, CSS, JavaScript, fonts and that one image.

    Measured: 57.3 KB (HTML 5.1, CSS 14.2, copy.js, share.js and video.js 2.7, fonts 35.3) + the
    cover's 62.4 KB = 119.7 KB."""
    from tests.campaigns import NOVEMBER, make_campaign
    from tests.gallery_data import change
    from tests.photos import add_photo_to

    at(NOVEMBER)
    campaign_id = make_campaign(app)
    add_photo_to(app, campaign_id, photo_like(1600, 1067), alt_text="Il laboratorio")
    for number in range(4):
        add_photo_to(app, campaign_id, photo_like(1200, 800), alt_text=f"Foto {number}")
    change(app, campaign_id, video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    path = "/it/progetti/lab-barona"
    sizes = first_load_bytes(client, path)
    html = client.get(path).get_data(as_text=True)
    cover = re.search(r'<source type="image/webp" srcset="[^"]*?(/media/foto/[0-9a-f]{32}-960\.webp) 960w', html)
    image = client.get(cover.group(1))
    assert image.status_code == 200 and image.mimetype == "image/webp"
    sizes[cover.group(1)] = len(image.data)  # already compressed
    assert re.search(r'<img [^>]*-960\.jpg 960w[^>]*fetchpriority="high"', html)
    assert html.count('loading="lazy"') == 4  # every other photo
    total = sum(sizes.values())
    assert total <= BUDGET, f"{total / 1024:.1f} KB: {sizes}"
