"""Sharing a campaign (issue 17): plain links to WhatsApp, Telegram, Facebook, X, LinkedIn and
e-mail, each carrying the page's own address and its title; the address in a read-only field to copy
without JavaScript; with it, "Copia link" (static/js/copy.js) and, on phones, the system share sheet
(static/js/share.js). No script, image or frame of theirs, no tracking parameter."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.campaigns import NOVEMBER, make_campaign
from tests.gallery_data import change

PAGE = "/it/progetti/lab-barona"
PAGE_URL = "http://127.0.0.1:5000/it/progetti/lab-barona"
TITLE = 'Lab "Barona" & più'
TEXT = f"Sostieni «{TITLE}», un progetto del Crowdfunding Civico di Milano"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


def share_links(html: str) -> dict[str, str]:
    """Each link of the share list by its visible name, its address decoded from the HTML."""
    section = html[html.index('id="condividi"') :]
    items = re.findall(r'<li><a href="([^"]+)">([^<]+)<span class="visually-hidden">', section)
    return {name: unescape(href) for href, name in items}


def test_every_service_gets_the_page_address_and_its_title(app, client):
    campaign_id = make_campaign(app)
    change(app, campaign_id, title=TITLE)
    links = share_links(client.get(PAGE).get_data(as_text=True))
    assert list(links) == ["WhatsApp", "Telegram", "Facebook", "X (Twitter)", "LinkedIn", "E-mail"]

    def query(name: str) -> dict[str, str]:
        return {key: values[0] for key, values in parse_qs(urlsplit(links[name]).query).items()}

    assert links["WhatsApp"].startswith("https://wa.me/?") and query("WhatsApp") == {"text": f"{TEXT} {PAGE_URL}"}
    assert links["Telegram"].startswith("https://t.me/share/url?")
    assert query("Telegram") == {"url": PAGE_URL, "text": TEXT}
    assert links["Facebook"].startswith("https://www.facebook.com/sharer/sharer.php?")
    assert query("Facebook") == {"u": PAGE_URL}
    assert links["X (Twitter)"].startswith("https://twitter.com/intent/tweet?")
    assert query("X (Twitter)") == {"url": PAGE_URL, "text": TEXT}
    assert query("LinkedIn") == {"url": PAGE_URL}
    assert links["E-mail"].startswith("mailto:?") and query("E-mail") == {"subject": TEXT, "body": PAGE_URL}
    # The title's quotes and ampersand are encoded, never breaking the address.
    for href in links.values():
        assert '"' not in href and " " not in href and "&amp;" not in href
    for name in ("WhatsApp", "Telegram", "X (Twitter)", "E-mail"):
        assert "%22Barona%22" in links[name] and "%26" in links[name], name


def test_no_tracking_and_nothing_of_theirs_on_the_page(app, client):
    make_campaign(app)
    html = client.get(PAGE).get_data(as_text=True)
    for href in share_links(html).values():
        assert not re.search(r"utm_|fbclid|ref=|source=", href), href
    # Their sites are only links to follow: no script, image, stylesheet or frame from them.
    body = html[html.index("<body") :]
    for host in ("wa.me", "t.me", "www.facebook.com", "twitter.com", "www.linkedin.com"):
        found = list(re.finditer(re.escape(f"https://{host}/"), body))
        assert len(found) == 1, host
        tag = body[body.rfind("<", 0, found[0].start()) : found[0].start()]
        assert tag == '<a href="', tag
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert scripts and all(src.startswith("/static/") for src in scripts)


def test_the_address_is_in_a_read_only_field_to_copy_without_javascript(app, client):
    make_campaign(app)
    html = client.get(PAGE).get_data(as_text=True)
    field = re.search(r'<input [^>]*id="share-address"[^>]*>', html).group(0)
    assert f'value="{PAGE_URL}"' in field and " readonly" in field and 'type="text"' in field
    label = '<label class="share-address-label" for="share-address">'
    assert f"{label}Indirizzo della pagina, da selezionare e copiare</label>" in html
    # What the scripts need comes from the page, in its language: copy.js's button and its message…
    area = re.search(r"<div class=\"share-copy\" data-copy-area [^>]*>", html).group(0)
    assert 'data-copy-label="Copia link"' in area
    assert f'data-copy="{PAGE_URL}"' in field and 'data-copied="Link copiato."' in field
    assert '<p class="share-status mb-0" data-copy-status role="status" hidden></p>' in html
    # …and share.js's sheet, hidden until the script finds one.
    native = re.search(r"<p class=\"share-native mb-0\" data-share [^>]*>", html).group(0)
    assert 'data-share-label="Condividi…"' in unescape(native) and " hidden" in native
    assert f'data-share-url="{PAGE_URL}"' in native
    for script in ("copy.js", "share.js"):
        assert re.search(rf'<script src="/static/js/{script}(\?[^"]*)?" defer></script>', html), script


def test_in_english_the_words_are_english_and_the_address_the_english_page(app, client):
    make_campaign(app)
    html = unescape(client.get("/en/progetti/lab-barona").get_data(as_text=True))
    assert 'value="http://127.0.0.1:5000/en/progetti/lab-barona"' in html
    assert 'data-copy-label="Copy link"' in html and 'data-share-label="Share…"' in html
    assert "Address of this page, to select and copy" in html
