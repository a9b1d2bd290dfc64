"""The public side of campaigns: the gallery and its map, a campaign's page, pledging."""

from flask import Blueprint

bp = Blueprint("campaigns", __name__, url_prefix="/<lang>")

from portal.blueprints.campaigns import (  # noqa: E402,F401
    follow,
    gallery,
    media,
    page,
    pledges,
    preview,
    refund_iban,
    supporter,
    transfer,
)
