"""(being written)"""

from portal.blueprints.applications import bp  # noqa: F401
