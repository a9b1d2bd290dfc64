"""Issue 17 as a newcomer tries it in the demo, in Chromium, on the November clock: Lab Barona's
organisation (the demo account `barona@demo.example`) uploads a phone photo with a GPS position and a
40-megapixel one, describing both; a phone 390 px wide sees the cover on the gallery card and on the
campaign page at a size it needs, within 150 KB before scrolling; the page's link preview is a
1200×630 PNG; a visitor follows the campaign and confirms from the e-mail; the organisation posts an
update and the follower gets exactly one e-mail, which a mail client unsubscribes with one click."""

from __future__ import annotations

import io
import random
import re
import urllib.request
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from PIL import Image
from playwright.sync_api import expect

from portal.demo.applications import DEMO_PASSWORD
from portal.demo.campaign_owner import DEMO_CAMPAIGN_OWNER
from portal.demo.campaigns import seed_demo_campaigns
from portal.domain.photos import WIDTHS
from portal.extensions import db
from portal.models import CampaignFollower, OutboxMessage
from tests.browser.conftest import PHONE, assert_accessible
from tests.campaigns import NOVEMBER
from tests.photos import forty_megapixels, phone_exif

pytestmark = pytest.mark.browser
FOLLOWER = "lettrice@example.org"
FIRST_LOAD_LIMIT = 150 * 1024  # bytes on the wire (compressed) before any scrolling
VARIANT = re.compile(r"/media/foto/[0-9a-f]{32}-(\d{2,4})\.(webp|jpg)$")


def phone_photo(width: int = 4032, height: int = 3024) -> bytes:
    """A 12-megapixel phone photo as a phone writes it (EXIF with a GPS position), with about as much
    detail as a real one: its 960 px WebP weighs some 75 KB, where flat test pictures weigh 2 KB and
    would make the page's weight budget meaningless. Deterministic."""
    rng = random.Random(17)

    def octave(cell: int) -> Image.Image:
        small = (width // cell, height // cell)
        return Image.frombytes("L", small, rng.randbytes(small[0] * small[1])).resize((width, height), Image.BICUBIC)

    channels = []
    for _ in range(3):
        channel = octave(256)
        for weight, cell in ((0.5, 64), (0.25, 24)):
            channel = Image.blend(channel, octave(cell), weight)
        channels.append(channel)
    out = io.BytesIO()
    Image.merge("RGB", channels).save(out, "JPEG", quality=88, exif=phone_exif().tobytes())
    return out.getvalue()


def _on(live_server: str, absolute: str) -> str:
    """An address the portal wrote for its public site (SITE_URL), on the server under test."""
    parts = urlsplit(absolute)
    return f"{live_server}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def _mails_to(app, address: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).filter_by(to=address).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def _upload(page, content: bytes, name: str, alt_text: str) -> None:
    upload = page.locator("section[aria-labelledby=upload-title]")
    upload.get_by_label("Foto", exact=True).set_input_files({"name": name, "mimeType": "image/jpeg", "buffer": content})
    upload.get_by_label("Testo alternativo", exact=True).fill(alt_text)
    upload.get_by_role("button", name="Carica la foto").click()


def _first_load_on_a_phone(browser, url: str):
    """A phone's first visit (no cache, 390 px, two device pixels per CSS pixel): the page, what
    was loaded before any scrolling, and its bytes on the wire."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="it-IT")
    phone = context.new_page()
    loaded: list[tuple[str, int]] = []
    phone.on("requestfinished", lambda request: loaded.append((request.url, request.sizes()["responseBodySize"])))
    phone.goto(url)
    phone.wait_for_load_state("networkidle")
    return context, phone, loaded


def _chosen_width(image) -> int:
    """The width of the variant the browser chose for an <img> (its `currentSrc`)."""
    expect(image).to_have_js_property("complete", True)
    found = VARIANT.search(image.evaluate("img => img.currentSrc"))
    assert found, image.evaluate("img => img.currentSrc")
    return int(found.group(1))


def test_photos_previews_and_following_as_a_newcomer_tries_them(app, page, browser, live_server, axe_source, at):
    at(NOVEMBER)
    with app.app_context():
        seed_demo_campaigns()  # the demo: Lab Barona live, its organisation's account ready

    # The organisation signs in and goes from its home to the campaign's photos.
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail").fill(DEMO_CAMPAIGN_OWNER["email"])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    expect(page).to_have_url(f"{live_server}/it/domanda/")
    page.get_by_role("link", name="Vedi la ricevuta e lo stato della domanda").click()
    page.get_by_role("link", name="Foto e video della campagna").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Foto e video della campagna")
    assert_accessible(page, axe_source)

    # A phone's photo with its GPS position, then a 40-megapixel one: reduced, and told so.
    taken = phone_photo()
    assert Image.open(io.BytesIO(taken)).getexif().get_ifd(0x8825)  # where it was taken
    _upload(page, taken, "IMG_0042.jpg", "Volontari riparano una bicicletta al banco del Lab Barona")
    expect(page.locator(".alert-success")).to_contain_text("Foto caricata")
    _upload(page, forty_megapixels(), "IMG_0043.jpg", "Una sfumatura di grigio")
    expect(page.locator(".alert-success")).to_contain_text("Era di 7744 × 5164 pixel: è stata ridotta a 1600 × 1067")
    # The second one's alt text, said better afterwards.
    second = page.locator("li[id^=foto-]").nth(1)
    second.get_by_label("Testo alternativo", exact=True).fill("Il cortile del Lab Barona al tramonto")
    second.get_by_role("button", name=re.compile("^Salva la descrizione")).click()
    expect(page.locator(".alert-success")).to_contain_text("Descrizione della foto salvata")
    expect(page.get_by_role("heading", name="Foto 1 – copertina")).to_be_visible()
    assert_accessible(page, axe_source)

    # A phone: the gallery's first load within 150 KB; the card shows the cover at a width it needs.
    first_loads = {}  # page → what it loaded before scrolling: checked at the end, after the journey
    context, phone, first_loads["gallery"] = _first_load_on_a_phone(browser, f"{live_server}/it/progetti?municipio=6")
    card_image = phone.locator(".campaign-card", has=phone.get_by_role("link", name="Lab Barona")).locator("img")
    card_image.scroll_into_view_if_needed()
    assert _chosen_width(card_image) == 480  # a card is a thumbnail: the 480 variant, even at two device pixels
    expect(card_image).to_have_attribute("alt", "Volontari riparano una bicicletta al banco del Lab Barona")
    assert_accessible(phone, axe_source)
    context.close()

    # The campaign page on a phone: the cover above the fold, at most the 960 variant, the first
    # load within 150 KB, and the other photo lazy (not loaded before scrolling).
    context, phone, first_loads["campaign page"] = _first_load_on_a_phone(
        browser, f"{live_server}/it/progetti/lab-barona"
    )
    cover = phone.locator("img.campaign-cover")
    assert _chosen_width(cover) <= 960
    images = [(url, size) for url, size in first_loads["campaign page"] if VARIANT.search(url)]
    assert len(images) == 1 and images[0][0] == cover.evaluate("img => img.currentSrc"), images
    expect(phone.get_by_role("img", name="Il cortile del Lab Barona al tramonto")).to_have_attribute("loading", "lazy")
    # What a visitor receives carries no trace of the phone: no EXIF, no GPS position.
    stored = Image.open(io.BytesIO(phone.request.get(cover.evaluate("img => img.currentSrc")).body()))
    assert not stored.getexif() and "exif" not in stored.info and not stored.getexif().get_ifd(0x8825)
    assert stored.width in WIDTHS

    # Its link preview: a 1200×630 PNG.
    preview_url = phone.locator('meta[property="og:image"]').get_attribute("content")
    preview = phone.request.get(_on(live_server, preview_url))
    assert preview.status == 200 and preview.headers["content-type"] == "image/png"
    drawn = Image.open(io.BytesIO(preview.body()))
    assert (drawn.format, drawn.size) == ("PNG", (1200, 630))
    context.close()

    # A visitor follows the campaign, and confirms from the e-mail's link.
    visitor_context = browser.new_context(locale="it-IT")
    visitor = visitor_context.new_page()
    visitor.goto(f"{live_server}/it/progetti/lab-barona")
    assert_accessible(visitor, axe_source)
    follow = visitor.locator("form[action$='/segui']")
    follow.get_by_label("Indirizzo e-mail").fill(FOLLOWER)
    follow.locator("label[for=follow-consent]").click()
    follow.get_by_role("button", name="Segui il progetto").click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("e-mail")
    assert_accessible(visitor, axe_source)
    [confirmation] = _mails_to(app, FOLLOWER)
    assert "List-Unsubscribe" not in (confirmation.headers or {})
    confirm_link = re.search(r"https?://\S+/it/seguire/[\w-]+", confirmation.body).group(0)
    visitor.goto(_on(live_server, confirm_link))
    assert_accessible(visitor, axe_source)  # a button, never confirmed by merely opening the link
    visitor.get_by_role("button").filter(has_text=re.compile("Conferma", re.I)).click()
    assert_accessible(visitor, axe_source)
    with app.app_context():
        assert db.session.scalars(sa.select(CampaignFollower.confirmed_at).filter_by(email=FOLLOWER)).one()

    # The organisation posts an update: the follower gets one e-mail, with the one-click headers.
    page.goto(f"{live_server}/it/domanda/")
    page.get_by_role("link", name="Vedi la ricevuta e lo stato della domanda").click()
    page.get_by_role("link", name="Pubblica un aggiornamento sulla campagna").click()
    page.get_by_label("Titolo").fill("Il banco da lavoro è arrivato")
    page.get_by_label("Testo", exact=True).fill("Da sabato si ripara: portate le vostre biciclette.")
    page.get_by_role("button", name="Pubblica l'aggiornamento").click()
    expect(page.locator(".alert-success")).to_contain_text("Aggiornamento pubblicato")
    assert_accessible(page, axe_source)
    mails = _mails_to(app, FOLLOWER)
    news = [mail for mail in mails if mail.id != confirmation.id]
    assert len(news) == 1 and "Il banco da lavoro è arrivato" in news[0].body
    headers = news[0].headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = _on(live_server, re.fullmatch(r"<(https?://[^>]+)>", headers["List-Unsubscribe"]).group(1))

    # The unsubscribe page, then the mail client's one-click POST: no cookie, no form token.
    visitor.goto(unsubscribe_url)
    assert_accessible(visitor, axe_source)
    one_click = urllib.request.Request(
        unsubscribe_url,
        data=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(one_click, timeout=10) as response:
        assert response.status == 200
    with app.app_context():
        assert db.session.scalars(sa.select(CampaignFollower).filter_by(email=FOLLOWER)).all() == []
    visitor.reload()
    assert_accessible(visitor, axe_source)
    visitor_context.close()

    # A phone's first load of the gallery and of the campaign page: 150 KB on the wire at most.
    heavy = {
        name: (sum(size for _, size in loaded), sorted(loaded, key=lambda item: -item[1])[:4])
        for name, loaded in first_loads.items()
        if sum(size for _, size in loaded) > FIRST_LOAD_LIMIT
    }
    assert heavy == {}
