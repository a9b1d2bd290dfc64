"""(being written)"""

from portal.blueprints.campaigns import bp


@bp.get("/progetti")
def gallery():
    raise NotImplementedError
