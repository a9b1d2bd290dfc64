"""(being written)"""

from portal.blueprints.campaigns import bp


@bp.get("/progetti/<slug>")
def detail(slug: str):
    raise NotImplementedError
