"""The Atom feed of new campaigns and their updates, the sitemap index and its sitemaps, robots.txt.

feedgen (and lxml under it) is imported by the feed's view when first asked, not by every worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from flask import Response, abort, current_app
from flask_babel import gettext as _

from portal.blueprints.transparency import bp
from portal.clock import now
from portal.converters import MAX_DATABASE_INTEGER
from portal.i18n import current_lang, languages
from portal.services import data_version
from portal.services.campaigns.syndication import (
    SITEMAP_CHUNK,
    CampaignAddress,
    FeedItem,
    campaign_chunks,
    campaigns_of_chunk,
    feed_items,
    sitemap_pages,
)
from portal.urls import absolute_url

if TYPE_CHECKING:
    from feedgen.feed import FeedGenerator

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_TYPE = "application/xml; charset=utf-8"

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
    # The feed only changes with the data version: built once per version and language.
    body = data_version.kept_html(f"feed.{current_lang()}", _feed_xml)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


def _feed_xml() -> str:
    lang = current_lang()
    moment = now()
    items = feed_items(moment)
    from feedgen.feed import FeedGenerator  # noqa: PLC0415 - lazily: lxml weighs on every worker otherwise

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
    return feed.atom_str(pretty=True).decode("utf-8")


def _urlset(pages: Iterable[tuple[dict[str, str], datetime | None]]) -> str:
    """A sitemap: for each page, its address in every language (`{lang: address}`), each entry naming
    the others as alternates (xhtml:link hreflang)."""
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">']
    for addresses, modified in pages:
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{lang}" href={quoteattr(address)}/>'
            for lang, address in addresses.items()
        )
        lastmod = f"<lastmod>{modified.date().isoformat()}</lastmod>" if modified is not None else ""
        parts += [f"<url><loc>{escape(address)}</loc>{lastmod}{alternates}</url>" for address in addresses.values()]
    parts.append("</urlset>\n")
    return "\n".join(parts)


@bp.get("/sitemap.xml")
def sitemap():
    """The sitemap index: the pages' sitemap, then one sitemap per chunk of campaigns (by id)."""
    maps = [absolute_url("transparency.sitemap_of_pages")]
    maps += [absolute_url("transparency.sitemap_of_campaigns", number=number) for number in campaign_chunks()]
    entries = "".join(f"<sitemap><loc>{escape(address)}</loc></sitemap>\n" for address in maps)
    body = f'<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n'
    return Response(body, content_type=XML_TYPE)


@bp.get("/sitemap-pagine.xml")
def sitemap_of_pages():
    pages = (
        ({lang: absolute_url(endpoint, lang=lang, **values) for lang in languages()}, modified)
        for endpoint, values, modified in sitemap_pages()
    )
    return Response(_urlset(pages), content_type=XML_TYPE)


@bp.get("/sitemap-progetti-<int:number>.xml")
def sitemap_of_campaigns(number: int):
    if number > MAX_DATABASE_INTEGER // SITEMAP_CHUNK:
        abort(404)
    addresses = {lang: CampaignAddress(lang) for lang in languages()}
    pages = (
        ({lang: address(slug) for lang, address in addresses.items()}, published_at)
        for slug, published_at in campaigns_of_chunk(number, now())
    )
    return Response(_urlset(pages), content_type=XML_TYPE)


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *"]
    for area in DISALLOWED:
        lines += [f"Disallow: /{lang}/{area}" for lang in languages()]
    lines.append("Disallow: /api/")
    lines.append("")
    lines.append(f"Sitemap: {current_app.config['SITE_URL'].rstrip('/')}/sitemap.xml")
    return Response("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
