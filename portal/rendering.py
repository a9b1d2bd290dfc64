"""One view, one template, two outputs: the whole page, or the fragment htmx asked for."""

from __future__ import annotations

from flask import Response, make_response, render_template, request
from jinja2_fragments.flask import render_blocks


def wants_fragment() -> bool:
    """An htmx swap (not a boosted navigation, not a history restore) gets a fragment."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and not headers.get("HX-Boosted")
        and not headers.get("HX-History-Restore-Request")
    )


def render_page(template: str, blocks: tuple[str, ...] = (), status: int = 200, **context) -> Response:
    """Render `template`, or only its `blocks` for an htmx request.

    The answer depends on the HX-Request header, so caches are told (`Vary`).
    """
    if blocks and wants_fragment():
        body = render_blocks(template, list(blocks), **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
