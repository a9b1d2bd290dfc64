"""The private preview of a campaign before it is public: `/<lang>/anteprima/<token>`, the campaign's
page as it will look, for whoever holds the team's current link (`Campaign.is_previewable_by`).

Never stored: not a shared page (portal/http_cache.py `SHARED_PAGES` does not list it), and
`no-store` for every cache; not indexed, and its address never sent on as a referrer. An unknown or
revoked link: 404. Once the campaign is public the link leads to its public page with a 302, not a
301: a permanent redirect would be kept by browsers, and the answer may change again (the edition
unpublished, the campaign's publication moved: the link is then a preview again, or revoked)."""

from __future__ import annotations

from flask import Response, abort, redirect, url_for

from portal.blueprints.campaigns import bp
from portal.blueprints.campaigns.page import campaign_page
from portal.clock import now
from portal.services.campaigns import preview as previews

# What the preview and its redirect carry: a secret link stays out of caches, search engines and
# other sites' logs (a 404 is the portal's own, never stored either).
PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


def _private(response: Response) -> Response:
    response.headers.update(PRIVATE_HEADERS)
    return response


@bp.get("/anteprima/<token>")
def preview(token: str):
    moment = now()
    campaign = previews.previewed_campaign(token, moment) or abort(404)
    if campaign.is_public(moment):
        return _private(redirect(url_for("campaigns.detail", slug=campaign.slug), code=302))
    return _private(Response(campaign_page(campaign, preview=True)))
