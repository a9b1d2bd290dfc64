"""(being written)"""

from portal.blueprints.campaigns import bp  # noqa: F401
