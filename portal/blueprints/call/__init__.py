"""The call (bando): its page, the match-funding calculator, the eligibility check, events."""

from flask import Blueprint

bp = Blueprint("call", __name__, url_prefix="/<lang>")

from portal.blueprints.call import views  # noqa: E402,F401
from portal.labels import legal_form_label  # noqa: E402

bp.add_app_template_global(legal_form_label)
