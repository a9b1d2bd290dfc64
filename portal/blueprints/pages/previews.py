"""The images of link previews (`portal.link_previews`): a 1200×630 PNG per public page, at an
address that carries the digest of what it shows.

The current address is kept for a year by any cache (what it shows never changes under it); an
older or missing digest gets the current image, kept five minutes, so a link shared before a
change shows the campaign as it is now. Whatever the query string, only the current card is ever
drawn, once, and then read from MEDIA_DIR/previews.
"""

from __future__ import annotations

from io import BytesIO

from flask import Response, abort, request, send_file

from portal import link_previews
from portal.blueprints.pages import bp
from portal.clock import now
from portal.domain.funding import money_of
from portal.link_previews import Card
from portal.services.campaigns import public
from portal.services.editions.editions import edition_or_404
from portal.services.editions.overview import call_state_of

CURRENT_MAX_AGE = 365 * 24 * 3600
STALE_MAX_AGE = 300


def _send(card: Card) -> Response:
    image = link_previews.stored_image(card)
    current = request.args.get("v") == card.digest
    response = send_file(
        BytesIO(image) if isinstance(image, bytes) else image,
        mimetype="image/png",
        etag=card.digest,
        conditional=True,
        max_age=CURRENT_MAX_AGE if current else STALE_MAX_AGE,
    )
    response.cache_control.public = True
    if current:
        response.cache_control.immutable = True
    return response


@bp.get("/anteprime/progetti/<slug>.png")
def preview_campaign(slug: str):
    campaign = public.public_campaign(slug, now()) or abort(404)
    return _send(link_previews.campaign_card(campaign, money_of(campaign, campaign.state(now()))))


@bp.get("/anteprime/progetti.png")
def preview_gallery():
    return _send(link_previews.gallery_card(link_previews.open_campaigns(now())))


@bp.get("/anteprime/bando/<int:year>.png")
def preview_call(year: int):
    edition = edition_or_404(year)
    return _send(link_previews.call_card(edition, call_state_of(edition, now())))


@bp.get("/anteprime/home.png")
def preview_home():
    return _send(link_previews.home_card())
