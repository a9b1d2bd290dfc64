"""Where the payment provider tells the portal a pledge was paid (signed, machine to machine)."""

from flask import Blueprint

bp = Blueprint("payments", __name__, url_prefix="/api/pagamenti")

from portal.blueprints.payments import webhook  # noqa: E402,F401
