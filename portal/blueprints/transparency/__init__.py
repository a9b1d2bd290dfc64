"""What everyone can check and reuse: the co-funding tracker, open data, the feed, sitemap and robots."""

from flask import Blueprint

bp = Blueprint("transparency", __name__)

from portal.blueprints.transparency import catalogue, feeds, opendata, tracker  # noqa: E402,F401
