"""The staff back-office: events and registrations, the audit log (more areas join as they are built)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/<lang>/gestione")

from portal.blueprints.admin import applications, editions, events, payments, people, selection, views  # noqa: E402,F401
