"""The Atom feed of new campaigns and updates, the sitemap and robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from portal.clock import ROME
from portal.extensions import db
from portal.models import CampaignUpdate
from tests.campaigns import NOVEMBER, make_campaign

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def with_updates(app) -> None:
    """Two published campaigns (the second published a week later), an update posted on 10 November,
    one planned for December, and a campaign not published."""
    barona = make_campaign(app, "Lab Barona")
    make_campaign(app, "Orto di Niguarda", slug="orto", starts_at=datetime(2020, 11, 6, tzinfo=ROME))
    make_campaign(app, "Bozza segreta", slug="bozza", published=False)
    with app.app_context():
        db.session.add_all(
            [
                CampaignUpdate(
                    campaign_id=barona,
                    title="Il laboratorio è pronto",
                    body="Abbiamo montato i banchi <b>da lavoro</b>.",
                    posted_at=datetime(2020, 11, 10, 18, 0, tzinfo=ROME),
                ),
                CampaignUpdate(
                    campaign_id=barona,
                    title="Aggiornamento futuro",
                    body="Non ancora.",
                    posted_at=datetime(2020, 12, 10, 18, 0, tzinfo=ROME),
                ),
            ]
        )
        db.session.commit()


def test_the_feed_is_atom_with_new_campaigns_and_updates_newest_first(app, client, at):
    with_updates(app)
    at(NOVEMBER)
    response = client.get("/it/progetti/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text == "http://127.0.0.1:5000/it/progetti/feed.atom"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://127.0.0.1:5000/it/progetti/feed.atom"
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert titles == [
        "Lab Barona: Il laboratorio è pronto",
        "Nuova campagna: Orto di Niguarda",
        "Nuova campagna: Lab Barona",
    ]
    assert feed.find(f"{ATOM}updated").text == "2020-11-10T17:00:00+00:00"
    update = entries[0]
    assert update.find(f"{ATOM}content").text == "Abbiamo montato i banchi <b>da lavoro</b>."  # text, escaped
    assert update.find(f"{ATOM}link").get("href").startswith("http://127.0.0.1:5000/it/progetti/lab-barona#")
    assert entries[2].find(f"{ATOM}author/{ATOM}name").text == "La Cordata"
    assert entries[2].find(f"{ATOM}summary").text == "Lab Barona: il progetto in breve."
    assert len({entry.find(f"{ATOM}id").text for entry in entries}) == 3
    assert b"Bozza segreta" not in response.data and b"Aggiornamento futuro" not in response.data


def test_the_gallery_and_the_open_data_page_announce_the_feed(client):
    for path, feed in (("/it/progetti", "/it/progetti/feed.atom"), ("/en/dati-aperti", "/en/progetti/feed.atom")):
        html = client.get(path).get_data(as_text=True)
        assert f'<link rel="alternate" type="application/atom+xml" href="{feed}"' in html


def test_the_english_feed_links_english_pages(app, client, at):
    make_campaign(app, "Lab Barona")
    at(NOVEMBER)
    feed = ET.fromstring(client.get("/en/progetti/feed.atom").data)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == "http://127.0.0.1:5000/en/progetti/lab-barona"


def test_an_empty_feed_is_still_valid(client):
    feed = ET.fromstring(client.get("/it/progetti/feed.atom").data)
    assert feed.findall(f"{ATOM}entry") == [] and feed.find(f"{ATOM}updated") is not None


def test_the_sitemap_lists_public_pages_in_both_languages(app, client, at):
    """/sitemap.xml is a sitemap index: the sitemap of the pages, then those of the campaigns."""
    with_updates(app)
    at(NOVEMBER)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    index = ET.fromstring(response.data)
    assert index.tag == f"{SITEMAP}sitemapindex"
    site = "http://127.0.0.1:5000"
    maps = [entry.find(f"{SITEMAP}loc").text for entry in index.findall(f"{SITEMAP}sitemap")]
    assert maps[0] == f"{site}/sitemap-pagine.xml"
    assert maps[1:] and all(address.startswith(f"{site}/sitemap-progetti-") for address in maps[1:])
    entries = {}
    for address in maps:
        sitemap = client.get(address.removeprefix(site))
        assert sitemap.status_code == 200 and sitemap.mimetype == "application/xml"
        urlset = ET.fromstring(sitemap.data)
        assert urlset.tag == f"{SITEMAP}urlset"
        entries |= {
            url.find(f"{SITEMAP}loc").text: {
                link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
            }
            for url in urlset.findall(f"{SITEMAP}url")
        }
    for path in (
        "/it/",
        "/en/",
        "/it/bando/2020",
        "/en/bando/2016",
        "/it/bando/2020/cofinanziamento",
        "/it/progetti",
        "/it/calendario",
        "/it/eventi/sessione-informativa-2020",
        "/en/dati-aperti",
        "/it/privacy",
        "/it/progetti/lab-barona",
        "/en/progetti/orto",
    ):
        assert site + path in entries, path
    assert entries[f"{site}/it/progetti/lab-barona"] == {
        "it": f"{site}/it/progetti/lab-barona",
        "en": f"{site}/en/progetti/lab-barona",
    }
    assert not [
        loc for loc in entries if any(p in loc for p in ("gestione", "domanda", "sostegno", "bozza", "accesso"))
    ]


def test_robots_keeps_private_areas_out_and_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    for area in ("gestione", "domanda", "valutazione", "sostegno"):
        assert f"Disallow: /it/{area}" in lines and f"Disallow: /en/{area}" in lines
    assert "Disallow: /api/" in lines
    assert "Sitemap: http://127.0.0.1:5000/sitemap.xml" in lines
    assert "Disallow: /" not in lines  # the public site stays open
