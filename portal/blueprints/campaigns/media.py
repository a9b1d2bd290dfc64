"""The photo files pages show: `/media/foto/<file>`, one URL per variant whatever the language,
kept by browsers and proxies for a year (a photo's file never changes: a new photo has a new key).
And the template globals that build their URLs and `srcset`s."""

from __future__ import annotations

import re

from flask import abort, send_from_directory, url_for
from werkzeug.exceptions import NotFound

from portal.blueprints.campaigns import bp
from portal.domain.photos import variant_name, variant_widths
from portal.services.campaigns.photos import photo_folder

ENDPOINT = "media_photo"  # outside the blueprint's /<lang>: the same file for every language
_NAME = re.compile(r"[0-9a-f]{32}-\d{2,4}\.(webp|jpg)")
_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}
A_YEAR = 365 * 24 * 3600


def photo_file(filename: str):
    match = _NAME.fullmatch(filename)
    if match is None:
        abort(404)
    try:
        response = send_from_directory(
            photo_folder(), filename, mimetype=_TYPES[match.group(1)], max_age=A_YEAR, conditional=True
        )
    except NotFound:
        abort(404)
    response.headers["Cache-Control"] = f"public, max-age={A_YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.record_once
def _serve_photos(state) -> None:
    state.app.add_url_rule("/media/foto/<filename>", ENDPOINT, photo_file, methods=["GET"])


@bp.app_template_global()
def photo_url(key: str, width: int, fmt: str = "jpg") -> str:
    """The URL of one variant of a photo."""
    return url_for(ENDPOINT, filename=variant_name(key, width, fmt))


@bp.app_template_global()
def photo_srcset(key: str, width: int, fmt: str = "webp") -> str:
    """Every variant of a photo whose largest variant is `width` wide, for `srcset`:
    "…-480.webp 480w, …-960.webp 960w, …-1600.webp 1600w"."""
    return ", ".join(f"{photo_url(key, each, fmt)} {each}w" for each in variant_widths(width))
