"""The coaches' area: the projects assigned to them, their drafts and comments, their office hours."""

from flask import Blueprint

bp = Blueprint("coaching", __name__, url_prefix="/<lang>/accompagnamento")

from portal.blueprints.coaching import office_hours, views  # noqa: E402,F401
