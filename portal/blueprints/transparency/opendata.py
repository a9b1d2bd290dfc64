"""Open data: the campaigns as CSV and JSON (CC BY 4.0), and the page that describes them."""

from __future__ import annotations

from flask import Response, render_template

from portal.blueprints.transparency import bp
from portal.clock import now
from portal.labels import CAMPAIGN_STATE_LABELS, THEME_LABELS
from portal.services.campaigns import opendata

CSV_TYPE = "text/csv; charset=utf-8; header=present"


def _open(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"  # public data: any site may read it
    response.headers["Link"] = f'<{opendata.LICENCE_URL}>; rel="license"'
    return response


@bp.get("/dati/progetti.csv")
def projects_csv():
    return _open(opendata.to_csv(opendata.records(now())), CSV_TYPE, "crowdfunding-civico-progetti.csv")


@bp.get("/dati/progetti.json")
def projects_json():
    moment = now()
    return _open(
        opendata.to_json(opendata.records(moment), moment),
        "application/json; charset=utf-8",
        "crowdfunding-civico-progetti.json",
    )


@bp.get("/<lang>/dati-aperti")
def opendata_page():
    return render_template(
        "transparency/opendata.html",
        fields=opendata.FIELDS,
        licence=opendata.LICENCE,
        licence_url=opendata.LICENCE_URL,
        source=opendata.SOURCE,
        states=CAMPAIGN_STATE_LABELS,
        themes=THEME_LABELS,
    )
