"""Open data: the campaigns as CSV and JSON (CC BY 4.0), and the page that describes them."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, render_template, stream_with_context

from portal.blueprints.transparency import bp
from portal.clock import now
from portal.labels import CAMPAIGN_STATE_LABELS, THEME_LABELS
from portal.services.campaigns import opendata

CSV_TYPE = "text/csv; charset=utf-8; header=present"


def _open(chunks: Iterator[str], mimetype: str, filename: str) -> Response:
    """A streamed file: the rows are read and written as they go out (`opendata.stream_records`)."""
    response = Response(stream_with_context(chunks), content_type=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"  # public data: any site may read it
    response.headers["Link"] = f'<{opendata.LICENCE_URL}>; rel="license"'
    return response


@bp.get("/dati/progetti.csv")
def projects_csv():
    return _open(opendata.csv_chunks(opendata.stream_records(now())), CSV_TYPE, "crowdfunding-civico-progetti.csv")


@bp.get("/dati/progetti.json")
def projects_json():
    moment = now()
    return _open(
        opendata.json_chunks(opendata.stream_records(moment), moment, opendata.published_count(moment)),
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
