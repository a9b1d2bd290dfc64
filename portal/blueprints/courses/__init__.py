"""The course calendar: lessons and the info session, registrations, personal pages."""

from flask import Blueprint

bp = Blueprint("courses", __name__, url_prefix="/<lang>")

from portal.blueprints.courses import views  # noqa: E402,F401
