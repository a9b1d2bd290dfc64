"""(being written)"""

from portal.blueprints.campaigns import bp


@bp.get("/sostegno/<token>")
def pledge_status(token: str):
    raise NotImplementedError
