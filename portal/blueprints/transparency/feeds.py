"""The Atom feed of new campaigns and their updates, the sitemap and robots.txt."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from feedgen.feed import FeedGenerator
from flask import Response, current_app
from flask_babel import gettext as _

from portal.blueprints.transparency import bp
from portal.clock import now
from portal.i18n import current_lang, languages
from portal.services.campaigns.syndication import FeedItem, feed_items, sitemap_pages
from portal.urls import absolute_url

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"

# Areas for people with an account, personal token pages and the API: of no use to a search engine.
DISALLOWED = ("gestione", "domanda", "valutazione", "sostegno", "iscrizioni")


def _entry(feed: FeedGenerator, item: FeedItem, lang: str) -> None:
    campaign, update = item.campaign, item.update
    page = absolute_url("campaigns.detail", lang=lang, slug=campaign.slug)
    entry = feed.add_entry(order="append")
    if update is None:
        entry.id(page)
        entry.title(_("Nuova campagna: %(title)s", title=campaign.title))
        entry.link(href=page, rel="alternate")
        entry.summary(campaign.summary)
    else:
        entry.id(f"{page}#aggiornamento-{update.id}")
        entry.title(_("%(campaign)s: %(update)s", campaign=campaign.title, update=update.title))
        entry.link(href=f"{page}#aggiornamento-{update.id}", rel="alternate")
        entry.content(update.body, type="text")
    if campaign.organisation_name:  # one the sources do not name: the feed's author (the Comune) stands
        entry.author({"name": campaign.organisation_name})
    entry.published(item.at)
    entry.updated(item.at)


@bp.get("/<lang>/progetti/feed.atom")
def feed():
    lang = current_lang()
    moment = now()
    items = feed_items(moment)
    self_url = absolute_url("transparency.feed", lang=lang)
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(_("Crowdfunding Civico – i progetti dei quartieri"))
    feed.subtitle(_("Le nuove campagne e i loro aggiornamenti, dal portale del Comune di Milano."))
    feed.author({"name": _("Comune di Milano")})
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=absolute_url("campaigns.gallery", lang=lang), rel="alternate", type="text/html")
    feed.language(lang)
    feed.rights(_("Testi e dati con licenza CC BY 4.0, Comune di Milano."))
    feed.updated(items[0].at if items else moment)
    for item in items:
        _entry(feed, item, lang)
    return Response(feed.atom_str(pretty=True), content_type="application/atom+xml; charset=utf-8")


@bp.get("/sitemap.xml")
def sitemap():
    ET.register_namespace("", SITEMAP_NS)
    ET.register_namespace("xhtml", XHTML_NS)
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for endpoint, values, modified in sitemap_pages(now()):
        addresses = {lang: absolute_url(endpoint, lang=lang, **values) for lang in languages()}
        for lang in languages():
            url = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
            ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = addresses[lang]
            if modified is not None:
                ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = modified.date().isoformat()
            for other, address in addresses.items():
                ET.SubElement(url, f"{{{XHTML_NS}}}link", rel="alternate", hreflang=other, href=address)
    body = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return Response(body, content_type="application/xml; charset=utf-8")


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *"]
    for area in DISALLOWED:
        lines += [f"Disallow: /{lang}/{area}" for lang in languages()]
    lines.append("Disallow: /api/")
    lines.append("")
    lines.append(f"Sitemap: {current_app.config['SITE_URL'].rstrip('/')}/sitemap.xml")
    return Response("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
