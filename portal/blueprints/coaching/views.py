"""(being written)"""

from portal.blueprints.coaching import bp  # noqa: F401
