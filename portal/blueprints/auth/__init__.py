"""Signing in and out, with the second factor for back-office roles."""

from flask import Blueprint

from portal.security import no_store

bp = Blueprint("auth", __name__, url_prefix="/<lang>")
# Every answer of signing in, signing up and choosing a password (one-time codes, the second
# factor's secret, personal data, the redirects between them) is kept by no cache.
bp.after_request(no_store)

from portal.blueprints.auth import signup, views  # noqa: E402,F401
