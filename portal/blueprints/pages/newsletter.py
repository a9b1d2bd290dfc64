"""(being written)"""

from portal.blueprints.pages import bp  # noqa: F401
