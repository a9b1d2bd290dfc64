"""The application area: the organisation's profile and its multi-step application to a call."""

from flask import Blueprint

bp = Blueprint("applications", __name__, url_prefix="/<lang>/domanda")

from portal.blueprints.applications import (  # noqa: E402,F401
    aftercare,
    attachments,
    campaign_updates,
    comments,
    door,
    labels,
    office_hours,
    organisation,
    photos,
    preparation,
    preview,
    spending,
    steps,
    submission,
)
