"""Signing in and out, with the second factor for back-office roles."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/<lang>")

from portal.blueprints.auth import signup, views  # noqa: E402,F401
