"""A campaign's photos, video and sharing in a real browser (issue 17): axe finds nothing at desktop
and phone widths; on a phone only the cover's 960 px WebP loads before scrolling, the other photos
when they come near; the photos are reached and opened by keyboard; nothing is requested from
YouTube before the person clicks "Riproduci il video"; "Copia link" copies the address and says so,
the system share sheet gets the page; without JavaScript, the address is in a read-only field and
the video is a link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import CampaignUpdate
from tests.browser.conftest import DESKTOP, PHONE, SETTLED, assert_accessible
from tests.campaigns import NOVEMBER, NOVEMBER_AT, make_campaign
from tests.gallery_data import change
from tests.photos import add_photo_to, jpeg_bytes

pytestmark = pytest.mark.browser

PAGE = "/it/progetti/lab-barona"
PAGE_URL = "http://127.0.0.1:5000/it/progetti/lab-barona"  # SITE_URL: the address people share
COVER_ALT = "Volontari che riparano una bicicletta nel laboratorio"
# A story as long as the real ones: six paragraphs.
STORY = "\n\n".join(
    "Il laboratorio apre tre pomeriggi alla settimana nel cortile della biblioteca: i ragazzi del quartiere "
    "imparano a riparare biciclette, piccoli elettrodomestici e mobili, con i volontari della Cordata, e "
    "quello che sistemano torna a chi ne ha bisogno. " * 2
    for _ in range(6)
)
OTHERS = ("Il banco degli attrezzi", "Una bicicletta riparata", "La festa di apertura")


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def campaign(app) -> int:
    """Lab Barona with a cover, three more photos (one with a caption), an update with a photo and a
    YouTube video."""
    campaign_id = make_campaign(app, story=STORY)
    add_photo_to(app, campaign_id, jpeg_bytes(1600, 900, gps=False), alt_text=COVER_ALT)
    for number, alt in enumerate(OTHERS):
        caption = "Il laboratorio di via Barona" if number == 0 else None
        add_photo_to(app, campaign_id, jpeg_bytes(1200, 800, gps=False), alt_text=alt, caption=caption)
    with app.app_context():
        update = CampaignUpdate(
            campaign_id=campaign_id, title="Si parte", body="Le prime biciclette.", posted_at=NOVEMBER_AT
        )
        db.session.add(update)
        db.session.commit()
        update_id = update.id
    add_photo_to(app, campaign_id, jpeg_bytes(1000, 750, gps=False), alt_text="La prima consegna", update_id=update_id)
    change(app, campaign_id, video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    return campaign_id


def recorded(page) -> list[str]:
    """Every URL the page requests from now on; requests to other sites are recorded, then refused
    (the tests never reach the Internet)."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    return urls


def test_the_page_with_photos_a_video_and_updates_is_accessible(page, live_server, axe_source, campaign):
    page.goto(f"{live_server}{PAGE}")
    expect(page.get_by_role("button", name="Riproduci il video")).to_be_visible()
    expect(page.get_by_role("button", name="Copia link")).to_be_visible()
    assert_accessible(page, axe_source)


def test_on_a_phone_only_the_cover_loads_before_scrolling(browser, live_server, campaign):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="it-IT")
    page = context.new_page()
    urls = recorded(page)
    page.goto(f"{live_server}{PAGE}", wait_until="load")
    page.evaluate(SETTLED)
    photos = [url for url in urls if "/media/foto/" in url]
    # sizes: 100vw - 1.5rem = 366 px, 732 device pixels: the 960 px WebP, and nothing else.
    assert len(photos) == 1 and photos[0].endswith("-960.webp"), photos
    cover = page.get_by_role("img", name=COVER_ALT)
    assert cover.evaluate("img => img.getBoundingClientRect().top") < PHONE["height"]  # above the fold
    assert cover.evaluate("img => img.complete && img.currentSrc").endswith("-960.webp")
    # Scrolling to the photos brings them in.
    page.get_by_role("heading", name="Foto").scroll_into_view_if_needed()
    for alt in OTHERS:
        expect(page.get_by_role("img", name=alt)).to_have_js_property("complete", True)
    assert len([url for url in urls if "/media/foto/" in url]) > 1
    assert not [url for url in urls if not url.startswith(live_server)]
    context.close()


def test_the_photos_are_reached_and_opened_by_keyboard(page, live_server, campaign):
    page.goto(f"{live_server}{PAGE}")
    page.get_by_role("heading", name="Il progetto", exact=True).click()  # the reading position: the story
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('photo-link')"):
            break
    focused = page.evaluate(
        "(() => { const a = document.activeElement; const s = getComputedStyle(a);"
        " return {href: a.getAttribute('href'), alt: a.querySelector('img').alt, outline: s.outlineStyle}; })()"
    )
    assert focused["alt"] == OTHERS[0] and focused["outline"] != "none"
    assert re.fullmatch(r"/media/foto/[0-9a-f]{32}-1200\.jpg", focused["href"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.querySelector('img').alt") == OTHERS[1]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # the whole photo, in the browser
    expect(page).to_have_url(f"{live_server}{focused['href']}")


def test_the_video_loads_only_after_the_click(page, live_server, campaign):
    urls = recorded(page)
    page.goto(f"{live_server}{PAGE}", wait_until="load")
    page.evaluate(SETTLED)
    assert not [url for url in urls if "youtube" in url or "ytimg" in url or "google" in url], urls
    expect(page.locator("iframe")).to_have_count(0)
    play = page.get_by_role("button", name="Riproduci il video")
    play.focus()
    page.keyboard.press("Enter")
    frame = page.locator("iframe.video-frame")
    expect(frame).to_have_attribute("src", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1&rel=0")
    expect(frame).to_have_attribute("title", "Video: Lab Barona")
    expect(frame).to_be_focused()
    expect(page.get_by_role("img", name=COVER_ALT)).to_have_count(0)  # the preview made way
    assert [url for url in urls if url.startswith("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")]


def test_copy_link_copies_the_address_and_says_so(browser, live_server, campaign):
    context = browser.new_context(viewport=DESKTOP, locale="it-IT", permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{live_server}{PAGE}")
    page.get_by_role("button", name="Copia link").click()
    expect(page.get_by_role("status").filter(has_text="Link copiato.")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == PAGE_URL
    context.close()


def test_the_system_share_sheet_gets_the_page_where_there_is_one(browser, live_server, campaign):
    context = browser.new_context(viewport=PHONE, locale="it-IT", has_touch=True, is_mobile=True)
    # A phone's navigator.share, standing in for the sheet the system would open.
    context.add_init_script("navigator.share = data => { window.shared = data; return Promise.resolve(); };")
    page = context.new_page()
    page.goto(f"{live_server}{PAGE}")
    page.get_by_role("button", name="Condividi…").click()
    shared = page.evaluate("window.shared")
    assert shared == {
        "title": "Lab Barona",
        "text": "Sostieni «Lab Barona», un progetto del Crowdfunding Civico di Milano",
        "url": PAGE_URL,
    }
    context.close()


def test_where_there_is_no_share_sheet_no_button_for_it(page, live_server, campaign):
    page.goto(f"{live_server}{PAGE}")
    assert page.evaluate("typeof navigator.share") != "function"  # desktop Chromium on Linux
    expect(page.get_by_role("button", name="Copia link")).to_be_visible()
    expect(page.get_by_role("button", name="Condividi…")).to_have_count(0)


def test_without_javascript_the_address_to_copy_and_a_link_to_the_video(page_without_js, live_server, campaign):
    page = page_without_js
    urls = recorded(page)
    page.goto(f"{live_server}{PAGE}")
    field = page.get_by_label("Indirizzo della pagina, da selezionare e copiare")
    expect(field).to_have_value(PAGE_URL)
    expect(field).to_have_attribute("readonly", "")
    for part in ("#condividi", ".campaign-media"):  # no "Copia link", no "Riproduci il video"
        expect(page.locator(part).get_by_role("button")).to_have_count(0)
    link = page.get_by_role("link", name="Guarda il video su YouTube")
    expect(link).to_have_attribute("href", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    expect(page.get_by_role("img", name=COVER_ALT)).to_be_visible()
    assert not [url for url in urls if not url.startswith(live_server)]
