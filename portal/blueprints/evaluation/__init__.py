"""The evaluators' area: their assignments, the conflict-of-interest declaration, the scores."""

from flask import Blueprint

bp = Blueprint("evaluation", __name__, url_prefix="/<lang>/valutazione")

from portal.blueprints.evaluation import views  # noqa: E402,F401
