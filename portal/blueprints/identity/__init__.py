"""Signing in with SPID and CIE: the SP's metadata, the AuthnRequest's auto-posting form, the assertion
consumer service and single logout (portal/services/identity does the SAML)."""

from flask import Blueprint

from portal.security import no_store

bp = Blueprint("identity", __name__)
bp.after_request(no_store)

from portal.blueprints.identity import views  # noqa: E402,F401
