"""Link previews as a shared link shows them: Open Graph and Twitter tags on the campaign pages, the
gallery, the call and the home page, in each language, with absolute addresses; the 1200×630 PNG
behind them, drawn once per state of what it shows and then sent from MEDIA_DIR/previews; a new
address when what it shows changes; no image of a campaign the public cannot see."""

from __future__ import annotations

import re
import shutil
from html import unescape
from io import BytesIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from portal import link_previews
from portal.domain.photos import variant_name, variant_widths
from portal.extensions import db
from portal.models import Campaign
from tests.campaigns import NOVEMBER, make_campaign

SITE = "http://127.0.0.1:5000"  # SITE_URL of the tests
PAGES = {
    "home": "/{lang}/",
    "gallery": "/{lang}/progetti",
    "call": "/{lang}/bando/2020",
    "campaign": "/{lang}/progetti/lab-barona",
}
OG_IMAGE = re.compile(r"/(it|en)/anteprime/[\w/.-]+\.png\?v=([0-9a-f]{12})$")


@pytest.fixture(autouse=True)
def _november(app, at):
    at(NOVEMBER)
    shutil.rmtree(Path(app.config["MEDIA_DIR"]) / link_previews.FOLDER, ignore_errors=True)


@pytest.fixture
def draws(monkeypatch) -> list[str]:
    """The digests of the images drawn (not sent from the stored file)."""
    drawn: list[str] = []
    draw = link_previews.draw

    def counting(card, cover):
        drawn.append(card.digest)
        return draw(card, cover)

    monkeypatch.setattr(link_previews, "draw", counting)
    return drawn


def tags(response) -> dict[str, str]:
    html = response.get_data(as_text=True)
    head = html[: html.index("</head>")]
    found = re.findall(r'<meta (?:property|name)="((?:og|twitter):[\w:]+)" content="([^"]*)">', head)
    return {name: unescape(value) for name, value in found if name != "og:locale:alternate"}


def local(url: str) -> str:
    assert url.startswith(SITE + "/"), url
    return url[len(SITE) :]


def change(app, campaign_id: int, **fields) -> None:
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        for name, value in fields.items():
            setattr(campaign, name, value)
        db.session.commit()


def cover(app, campaign_id: int, colour: tuple[int, int, int], width: int = 1600) -> str:
    """A cover photo as the photos service stores it: its variants in MEDIA_DIR/photos, its key,
    size and description copied on the campaign."""
    key = f"{colour[0]:02x}{colour[1]:02x}{colour[2]:02x}" + "0" * 26
    folder = Path(app.config["MEDIA_DIR"]) / "photos"
    folder.mkdir(parents=True, exist_ok=True)
    height = width * 2 // 3
    for size in variant_widths(width):
        picture = Image.new("RGB", (size, size * 2 // 3), colour)
        for fmt, kind in (("jpg", "JPEG"), ("webp", "WEBP")):
            picture.save(folder / variant_name(key, size, fmt), kind)
    change(app, campaign_id, image_file=key, image_width=width, image_height=height, image_alt="L'orto in primavera")
    return key


def png(response) -> Image.Image:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "image/png"
    image = Image.open(BytesIO(response.get_data()))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    return image.convert("RGB")


@pytest.mark.parametrize("lang", ["it", "en"])
def test_the_four_pages_carry_open_graph_and_twitter_tags_with_absolute_addresses(app, client, lang):
    make_campaign(app)
    for kind, path in PAGES.items():
        page = path.format(lang=lang)
        found = tags(client.get(page))
        assert found["og:type"] == "website", kind
        assert found["og:site_name"] == "Crowdfunding Civico – Comune di Milano"
        assert found["og:locale"] == {"it": "it_IT", "en": "en_GB"}[lang]
        assert found["og:url"] == SITE + page
        assert found["og:title"] and found["og:description"] and found["og:image:alt"], kind
        assert OG_IMAGE.search(found["og:image"]).group(1) == lang
        assert found["og:image"].startswith(SITE + f"/{lang}/anteprime/")
        assert (found["og:image:type"], found["og:image:width"], found["og:image:height"]) == (
            "image/png",
            "1200",
            "630",
        )
        assert found["twitter:card"] == "summary_large_image"
        for name in ("title", "description", "image"):
            assert found[f"twitter:{name}"] == found[f"og:{name}"], (kind, name)
        assert found["twitter:image:alt"] == found["og:image:alt"]
        png(client.get(local(found["og:image"])))


def test_what_each_preview_says_in_italian_and_english(app, client):
    campaign_id = make_campaign(app)  # Lab Barona: 8.000 € of threshold
    change(app, campaign_id, confirmed_cents=600_050)
    alt = {kind: tags(client.get(path.format(lang="it")))["og:image:alt"] for kind, path in PAGES.items()}
    assert alt["campaign"] == (
        "Lab Barona. La Cordata. 75% della soglia dei cittadini di 8.000\xa0€. Crowdfunding Civico · Comune di Milano"
    )
    assert alt["gallery"].startswith("I progetti dei quartieri. 1 campagna aperta ora.")
    assert alt["call"].startswith("Crowdfunding Civico 2020. Budget del Comune per il cofinanziamento: ")
    assert "Scadenza per le domande: " in alt["call"]
    assert alt["home"].startswith("Crowdfunding Civico. Il programma del Comune di Milano")
    english = tags(client.get("/en/progetti/lab-barona"))
    assert "75% of the citizens' threshold of €8,000" in english["og:image:alt"]
    assert english["og:title"] == "Lab Barona"


def test_a_campaign_image_shows_its_cover_or_else_the_brand_blue(app, client):
    campaign_id = make_campaign(app)
    plain = png(client.get(local(tags(client.get(PAGES["campaign"].format(lang="it")))["og:image"])))
    assert plain.getpixel((20, 10)) == link_previews.BRAND_RGB
    cover(app, campaign_id, (200, 40, 40))
    drawn = png(client.get(local(tags(client.get(PAGES["campaign"].format(lang="it")))["og:image"])))
    red, green, blue = drawn.getpixel((20, 10))  # above the band: the photo itself
    assert red > 180 and green < 70 and blue < 70


def test_an_image_is_drawn_once_then_sent_from_its_file(app, client, draws):
    make_campaign(app)
    url = local(tags(client.get("/it/progetti/lab-barona"))["og:image"])
    digest = parse_qs(urlsplit(url).query)["v"][0]
    first = client.get(url)
    stored = Path(app.config["MEDIA_DIR"]) / "previews" / f"{digest}.png"
    assert draws == [digest] and stored.is_file()
    again = client.get(url)
    assert draws == [digest]  # not drawn again
    assert again.get_data() == first.get_data() == stored.read_bytes()
    assert not list(stored.parent.glob("*.tmp"))


def test_the_current_address_is_kept_a_year_and_validated_by_its_digest(app, client):
    make_campaign(app)
    url = local(tags(client.get("/it/progetti/lab-barona"))["og:image"])
    digest = parse_qs(urlsplit(url).query)["v"][0]
    response = client.get(url)
    assert set(response.headers["Cache-Control"].split(", ")) == {"public", "max-age=31536000", "immutable"}
    assert response.headers["ETag"] == f'"{digest}"'
    assert "Set-Cookie" not in response.headers
    assert client.get(url, headers={"If-None-Match": f'"{digest}"'}).status_code == 304


def test_a_change_gives_a_new_address_and_the_old_one_the_current_image_briefly(app, client, draws):
    campaign_id = make_campaign(app)
    before = local(tags(client.get("/it/progetti/lab-barona"))["og:image"])
    client.get(before)
    change(app, campaign_id, confirmed_cents=1)  # 0% still: the same image
    assert local(tags(client.get("/it/progetti/lab-barona"))["og:image"]) == before
    change(app, campaign_id, title="Lab Barona aperto")
    after = local(tags(client.get("/it/progetti/lab-barona"))["og:image"])
    assert after != before and after.split("?")[0] == before.split("?")[0]
    old = client.get(before)  # a link shared before the change
    current = client.get(after)
    assert old.get_data() == current.get_data()
    assert set(old.headers["Cache-Control"].split(", ")) == {"public", "max-age=300"}
    assert old.headers["ETag"] == current.headers["ETag"] == f'"{parse_qs(urlsplit(after).query)["v"][0]}"'
    assert len(draws) == 2  # the first image, then the current one, once
    assert client.get(after.split("?")[0]).headers["Cache-Control"] == old.headers["Cache-Control"]


def test_no_image_of_a_campaign_the_public_cannot_see(app, client, draws):
    make_campaign(app, "Bozza", published=False)
    assert client.get("/it/anteprime/progetti/bozza.png").status_code == 404
    assert client.get("/it/anteprime/progetti/non-esiste.png?v=000000000000").status_code == 404
    assert client.get("/it/anteprime/bando/1999.png").status_code == 404
    assert draws == []


def test_a_missing_cover_file_is_drawn_without_it_and_not_kept(app, client, draws):
    campaign_id = make_campaign(app)
    key = cover(app, campaign_id, (40, 160, 40))
    (Path(app.config["MEDIA_DIR"]) / "photos" / variant_name(key, 1600, "jpg")).unlink()
    url = local(tags(client.get("/it/progetti/lab-barona"))["og:image"])
    assert png(client.get(url)).getpixel((20, 10)) == link_previews.BRAND_RGB
    assert png(client.get(url)) and len(draws) == 2  # tried again: the photo may come back
    assert not list((Path(app.config["MEDIA_DIR"]) / "previews").glob("*.png"))


def test_a_campaign_image_costs_one_query_and_the_home_image_none(app, client, count_queries):
    make_campaign(app)
    url = local(tags(client.get("/it/progetti/lab-barona"))["og:image"])
    client.get(url)
    with count_queries() as queries:
        assert client.get(url).status_code == 200
    assert queries.count == 1  # the campaign, with its edition
    home = local(tags(client.get("/it/"))["og:image"])
    with count_queries() as queries:
        assert client.get(home).status_code == 200
    assert queries.count == 0
