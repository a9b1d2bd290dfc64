"""The staff back-office: events and registrations, the audit log (more areas join as they are built)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/<lang>/gestione")

from portal.blueprints.admin import (  # noqa: E402,F401
    applications,
    coaching,
    editions,
    events,
    featuring,
    insight,
    instalments,
    newsletter,
    payments,
    people,
    photos,
    refunds,
    selection,
    spending,
    tax_receipts,
    views,
)
