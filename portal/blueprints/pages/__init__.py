"""Home, the pages every municipal site has, the language redirect and the health check."""

from flask import Blueprint

bp = Blueprint("pages", __name__, url_prefix="/<lang>")
root_bp = Blueprint("root", __name__)

from portal.blueprints.pages import newsletter, previews, views  # noqa: E402,F401
