"""Photos where people see them (issue 17): the cover on the gallery card and on top of the
campaign page, the other photos and each update's below, the video as a click-to-load preview.
Every picture comes in WebP with a JPEG fallback, with `srcset`/`sizes`, its alt text in the
organisation's Italian; only the page's cover is fetched first, every other photo is lazy."""

from __future__ import annotations

import gzip
import re
import secrets
from html import unescape

import pytest

from portal.extensions import db
from portal.models import Campaign, CampaignUpdate
from tests.campaigns import NOVEMBER, NOVEMBER_AT, make_campaign
from tests.gallery_data import change
from tests.html_validation import vnu_errors
from tests.photos import add_photo_to, jpeg_bytes

PAGE = "/it/progetti/lab-barona"
GALLERY = "/it/progetti"
COVER_ALT = "Volontari che riparano una bicicletta nel laboratorio"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


def key_of(html: str, alt: str) -> str:
    """The key of the photo shown with this alt text."""
    img = re.search(rf'<img [^>]*src="/media/foto/([0-9a-f]{{32}})-\d+\.jpg"[^>]*alt="{re.escape(alt)}"', html)
    assert img, f"no photo with alt {alt!r}"
    return img.group(1)


def picture_of(html: str, alt: str) -> str:
    """The whole <picture> of the photo with this alt text."""
    for picture in re.findall(r"<picture>.*?</picture>", html, re.S):
        if f'alt="{alt}"' in picture:
            return picture
    raise AssertionError(f"no <picture> with alt {alt!r}")


def campaign_with_photos(app) -> dict:
    """Lab Barona with a 1600×900 cover, two more photos (one with a caption), an update with a
    photo and a YouTube video."""
    campaign_id = make_campaign(app)
    add_photo_to(app, campaign_id, jpeg_bytes(1600, 900, gps=False), alt_text=COVER_ALT)
    add_photo_to(
        app,
        campaign_id,
        jpeg_bytes(1200, 800, gps=False),
        alt_text="Il banco degli attrezzi",
        caption="Il laboratorio di via Barona",
    )
    add_photo_to(app, campaign_id, jpeg_bytes(800, 600, gps=False), alt_text="Una bicicletta riparata")
    with app.app_context():
        update = CampaignUpdate(
            campaign_id=campaign_id, title="Si parte", body="Le prime biciclette.", posted_at=NOVEMBER_AT
        )
        db.session.add(update)
        db.session.commit()
        update_id = update.id
    add_photo_to(app, campaign_id, jpeg_bytes(1000, 750, gps=False), alt_text="La prima consegna", update_id=update_id)
    change(app, campaign_id, video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    return {"id": campaign_id, "update_id": update_id}


# --- the gallery card ----------------------------------------------------------------------------


def test_the_card_shows_the_cover_in_webp_and_jpeg_with_its_sizes_and_alt_text(app, client):
    campaign_id = make_campaign(app)
    add_photo_to(app, campaign_id, jpeg_bytes(1600, 900, gps=False), alt_text=COVER_ALT)
    html = client.get(GALLERY).get_data(as_text=True)
    key = key_of(html, COVER_ALT)
    picture = picture_of(html, COVER_ALT)
    # A card is a thumbnail at most 23rem wide: the 480 variant only, even on a phone's dense screen,
    # so a page of twelve cards stays light on a phone (the page itself offers the larger ones).
    sizes = 'sizes="(min-width: 768px) 23rem, calc(100vw - 1.5rem)"'
    assert f'<source type="image/webp" srcset="/media/foto/{key}-480.webp 480w" {sizes}>' in picture
    assert f'srcset="/media/foto/{key}-480.jpg 480w" {sizes}' in picture
    assert f'src="/media/foto/{key}-480.jpg"' in picture
    assert 'width="1600" height="900"' in picture  # its proportions, before it arrives
    assert f'alt="{COVER_ALT}" lang="it"' in picture  # the organisation's words
    assert 'loading="lazy"' in picture and 'decoding="async"' in picture
    assert "fetchpriority" not in picture
    assert "themes/ambiente.svg" not in html
    for variant in (f"{key}-480.webp", f"{key}-480.jpg"):
        response = client.get(f"/media/foto/{variant}")
        assert response.status_code == 200, variant
        response.close()


def test_without_a_cover_the_card_shows_the_theme_illustration(app, client):
    make_campaign(app)
    html = client.get(GALLERY).get_data(as_text=True)
    assert 'src="/static/img/themes/ambiente.svg" alt=""' in html  # decorative
    assert "<picture>" not in html and "/media/foto/" not in html


def test_the_htmx_fragment_carries_the_cover_too(app, client):
    campaign_id = make_campaign(app)
    add_photo_to(app, campaign_id, alt_text=COVER_ALT)
    fragment = client.get(GALLERY, query_string={"municipio": "6"}, headers={"HX-Request": "true"})
    assert f'alt="{COVER_ALT}" lang="it"' in fragment.get_data(as_text=True)


# --- the campaign page ---------------------------------------------------------------------------


def test_the_cover_is_on_top_fetched_first_and_the_other_photos_are_lazy(app, client):
    campaign_with_photos(app)
    html = client.get(PAGE).get_data(as_text=True)
    cover = picture_of(html, COVER_ALT)
    key = key_of(html, COVER_ALT)
    assert 'fetchpriority="high"' in cover and "loading=" not in cover
    # The page's column: the whole width of a phone, at most 53rem on a wide screen.
    sizes = (
        'sizes="(min-width: 1200px) 53rem, (min-width: 992px) 38rem, (min-width: 576px) 44rem, calc(100vw - 1.5rem)"'
    )
    webp = ", ".join(f"/media/foto/{key}-{width}.webp {width}w" for width in (480, 960, 1600))
    assert f'srcset="{webp}" {sizes}' in cover
    assert 'width="1600" height="900"' in cover
    # Above the story and the figures: the first picture of the page's main content.
    assert html.index(cover) < html.index('id="funding-title"') < html.index('id="story-title"')
    assert html.count(f"/media/foto/{key}-") == 7  # once: not repeated in the photos below
    # Every other photo is lazy, in 480 and 960 only, and links to its largest JPEG.
    for alt, width in (
        ("Il banco degli attrezzi", 1200),
        ("Una bicicletta riparata", 800),
        ("La prima consegna", 1000),
    ):
        picture = picture_of(html, alt)
        other = key_of(html, alt)
        assert 'loading="lazy"' in picture and "fetchpriority" not in picture
        assert f"/media/foto/{other}-480.webp 480w" in picture and f"{other}-1600" not in picture
        assert f'<a class="photo-link" href="/media/foto/{other}-{width}.jpg">' in html
    assert f"{key_of(html, 'Il banco degli attrezzi')}-960.webp 960w" in html
    assert f"{key_of(html, 'Una bicicletta riparata')}-800.webp 800w" in html  # narrower than 960: itself


def test_the_photos_are_a_list_of_figures_with_their_captions(app, client):
    campaign_with_photos(app)
    html = client.get(PAGE).get_data(as_text=True)
    section = html[html.index('id="foto"') : html.index('id="aggiornamenti"')]
    assert section.count("<figure") == 2  # the cover is not repeated
    assert '<figcaption class="photo-caption" lang="it">Il laboratorio di via Barona</figcaption>' in section
    assert section.count("<figcaption") == 1  # no empty caption for the photo without one
    assert section.index("Il banco degli attrezzi") < section.index("Una bicicletta riparata")  # their order
    # Each link says where it leads, in the page's language.
    assert "(foto intera, 1200 × 800 pixel)" in unescape(section)


def test_an_update_shows_its_own_photos(app, client):
    ids = campaign_with_photos(app)
    html = client.get(PAGE).get_data(as_text=True)
    update = re.search(
        rf'<article class="campaign-update" aria-labelledby="update-{ids["update_id"]}">.*?</article>', html, re.S
    )
    assert 'alt="La prima consegna"' in update.group(0)
    gallery = html[html.index('id="foto"') : html.index('id="aggiornamenti"')]
    assert "La prima consegna" not in gallery


def test_without_photos_the_page_shows_the_theme_illustration_and_no_photo_section(app, client):
    make_campaign(app)
    html = client.get(PAGE).get_data(as_text=True)
    assert 'src="/static/img/themes/ambiente.svg" alt=""' in html
    assert 'id="foto"' not in html and "<figure" not in html and "/media/foto/" not in html


def test_photos_cost_the_page_no_query(app, client, count_queries):
    """The photos come with the rewards, the updates and the supporters, in the same query."""
    make_campaign(app)
    client.get(PAGE)
    with count_queries() as before:
        client.get(PAGE)
    with app.app_context():
        campaign_id = db.session.execute(db.select(Campaign.id)).scalar_one()
    add_photo_to(app, campaign_id, alt_text=COVER_ALT)
    for number in range(4):
        add_photo_to(app, campaign_id, alt_text=f"Foto {number}")
    client.get(PAGE)
    with count_queries() as after:
        html = client.get(PAGE).get_data(as_text=True)
    assert html.count("<figure") == 4
    assert after.count == before.count <= 3, after.statements


# --- the video -----------------------------------------------------------------------------------


def test_the_video_is_a_link_until_asked_for_and_nothing_is_loaded_from_its_site(app, client):
    campaign_with_photos(app)
    response = client.get(PAGE)
    html = response.get_data(as_text=True)
    assert '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">Guarda il video su YouTube</a>' in html
    assert 'data-video="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&amp;rel=0"' in html
    assert "<iframe" not in html
    # The cover is the poster: no thumbnail from their servers (img.youtube.com, i.ytimg.com, vumbnail).
    assert "ytimg" not in html and "img.youtube" not in html and "vimeocdn" not in html
    assert 'fetchpriority="high"' in picture_of(html, COVER_ALT)
    # Their addresses appear only as a link to follow or the player the script frames on a click.
    for match in re.finditer(r"(youtube|vimeo)", html):
        before = html[: match.start()]
        attribute = re.findall(r'([a-z-]+)="[^"]*$', before)
        assert attribute and attribute[-1] in ("href", "data-video"), html[match.start() - 80 : match.end() + 20]
    assert re.search(r'<script src="/static/js/video\.js(\?[^"]*)?" defer></script>', html)
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert csp["frame-src"] == "https://www.youtube-nocookie.com https://player.vimeo.com"
    assert csp["script-src"] == "'self'" and csp["img-src"] == "'self' data:"


def test_a_vimeo_video_plays_in_vimeos_player_with_do_not_track(app, client):
    campaign_id = make_campaign(app)
    change(app, campaign_id, video_url="https://vimeo.com/76979871/8272103f6e")
    html = client.get(PAGE).get_data(as_text=True)
    assert '<a href="https://vimeo.com/76979871/8272103f6e">Guarda il video su Vimeo</a>' in html
    assert 'data-video="https://player.vimeo.com/video/76979871?autoplay=1&amp;dnt=1&amp;h=8272103f6e"' in html
    assert 'class="video-poster video-poster-blank"' in html  # no cover: a plain box, drawn in CSS


def test_without_a_video_no_preview_and_no_script_for_it(app, client):
    make_campaign(app)
    html = client.get(PAGE).get_data(as_text=True)
    assert "data-video" not in html and "video.js" not in html


def test_the_english_page_says_it_in_english(app, client):
    campaign_with_photos(app)
    html = unescape(client.get("/en/progetti/lab-barona").get_data(as_text=True))
    assert "Watch the video on YouTube" in html
    assert "(full photo, 1200 × 800 pixels)" in html
    assert f'alt="{COVER_ALT}" lang="it"' in html


# --- valid HTML ----------------------------------------------------------------------------------


def test_the_page_and_the_gallery_with_photos_are_valid_html(app, client, tmp_path):
    campaign_with_photos(app)
    other = make_campaign(app, "Orti di Quarto", municipio=8, nil_id=None)
    change(app, other, video_url="https://vimeo.com/76979871")
    files = []
    for name, url in (
        ("page", PAGE),
        ("vimeo", "/it/progetti/orti-di-quarto"),
        ("gallery", GALLERY),
        ("english", "/en/progetti/lab-barona"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        target = tmp_path / f"{name}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []


def test_a_page_of_cards_with_covers_stays_under_8_kb_gzipped(app, client):
    """The htmx fragment of a full page (12 cards), every card with a cover and a real alt text.

    Measured: 5.9 KB without covers (the theme's illustration), 6.5 KB with them."""
    for number in range(13):
        campaign_id = make_campaign(
            app,
            f"Laboratorio di quartiere {number}: riparazioni, orti condivisi e doposcuola",
            slug=f"progetto-{number}",
        )
        change(
            app,
            campaign_id,
            image_file=secrets.token_hex(16),
            image_alt=f"Volontari e ragazzi del quartiere riparano biciclette nel cortile, foto {number}",
            image_width=1600,
            image_height=1067,
        )
    response = client.get(GALLERY, headers={"HX-Request": "true"})
    body = response.get_data()
    assert b"<html" not in body and body.count(b"<picture>") == 12
    assert len(gzip.compress(body, 6)) <= 8 * 1024
