"""Rendering helpers every blueprint shares: one view, one template, two outputs (the whole page,
or the fragment htmx asked for); and the page of a form with personal data, never cached."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from flask import Flask, Response, make_response, render_template, request
from flask_login import current_user
from jinja2_fragments.flask import render_blocks
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from portal.i18n import current_lang
from portal.services import data_version


def wants_fragment(headers=None) -> bool:
    """An htmx swap (not a boosted navigation, not a history restore) gets a fragment.
    `headers`: this request's, or those of a WSGI environ (the page cache's fast path)."""
    headers = request.headers if headers is None else headers
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


def form_page(template: str, form, failed: bool, **context) -> Response:
    """A page with a form of personal data (signing in, an application), never stored by any cache;
    "Errore:" in the title when the form has errors or `failed` (e.g. a wrong password)."""
    html = render_template(template, form=form, failed=failed, page_has_errors=bool(form.errors) or failed, **context)
    response = make_response(html)
    response.headers["Cache-Control"] = "no-store"
    return response


def kept_html(key: str | None, render: Callable[..., Markup], *args: object) -> Markup:
    """`render(*args)` (a template macro), kept in this process once per data version and language
    under `key`: for a piece of a shared page that depends only on the data, the clock's boundaries
    (both in the version) and the language, e.g. a gallery card. `key` None: rendered each time."""
    if key is None:
        return render(*args)
    try:
        return data_version.kept_html(f"html.{current_lang()}.{key}", lambda: render(*args))
    except SQLAlchemyError:  # the database is away: the 503 page still has its footer
        return render(*args)


# A page's own parts, as base.html names its blocks: everything but the layout around them.
PAGE_PARTS = ("title", "description", "head", "breadcrumb", "content", "scripts")


def kept_page(template: str, key: str | None, context: Callable[[], dict], blocks: tuple[str, ...] = ()) -> Response:
    """`render_page(template, blocks, **context())` for a shared page whose own parts (its blocks,
    or the htmx fragment's) depend only on the data version, the language and `key`: they are
    rendered once per data version and kept (`data_version.kept_html`); each request renders only
    the layout around them (the header, with this address's language links, and the footer).
    `context()` runs only when the parts are rendered. `key` None, or someone signed in: rendered
    each time."""
    if key is None or current_user.is_authenticated:
        return render_page(template, blocks, **context())
    variant = "fragment" if blocks and wants_fragment() else "page"
    if request.headers.get("HX-Request"):  # a boosted page also says how many results it found
        variant += ".hx"
    name = f"page.{current_lang()}.{key}.{variant}"
    if variant.startswith("fragment"):
        body = data_version.kept_html(name, lambda: render_blocks(template, list(blocks), **context()))
    else:
        parts = _split(data_version.kept_html(name, lambda: _parts_of(template, context())))
        body = render_template("_kept_page.html", kept=parts)
    response = make_response(body)
    response.vary.add("HX-Request")
    return response


_MARKER_BYTES = 8  # a random marker per rendering: no content can contain it


def _parts_of(template: str, context: dict) -> str:
    """The page's blocks alone, each after the marker (base.html, `kept_parts`), the marker first."""
    marker = secrets.token_hex(_MARKER_BYTES)
    return marker + render_template(template, kept_parts=marker, **context)


def _split(rendered: str) -> dict[str, Markup]:
    marker, rest = rendered[: 2 * _MARKER_BYTES], rendered[2 * _MARKER_BYTES :]
    parts = {}
    for piece in rest.split(f"<!--{marker}:")[1:]:
        name, html = piece.split("-->", 1)
        parts[name] = Markup(html)
    return parts


def init_app(app: Flask) -> None:
    app.jinja_env.globals["kept_html"] = kept_html
    app.jinja_env.globals["PAGE_PARTS"] = PAGE_PARTS
