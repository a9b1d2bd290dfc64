"""Open data: the campaigns as CSV and JSON (CC BY 4.0), and the page that describes them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import Response, render_template

from portal.blueprints.transparency import bp
from portal.clock import now
from portal.kept_files import kept_file
from portal.labels import CAMPAIGN_STATE_LABELS, INDICATOR_LABELS, MILESTONE_STATUS_LABELS, THEME_LABELS
from portal.services.aftercare import opendata as aftercare_data
from portal.services.campaigns import opendata

CSV_TYPE = "text/csv; charset=utf-8; header=present"


def _open(name: str, chunks: Callable[[], Iterator[str]], mimetype: str, filename: str) -> Response:
    """An export, kept per data version (portal/kept_files.py): streamed as the rows are read the
    first time (`opendata.stream_records`), sent from its kept copy until the data changes."""
    response = kept_file(name, chunks, mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"  # public data: any site may read it
    response.headers["Link"] = f'<{opendata.LICENCE_URL}>; rel="license"'
    return response


JSON_TYPE = "application/json; charset=utf-8"


@bp.get("/dati/progetti.csv")
def projects_csv():
    return _open(
        "progetti-csv",
        lambda: opendata.csv_chunks(opendata.stream_records(now())),
        CSV_TYPE,
        "crowdfunding-civico-progetti.csv",
    )


@bp.get("/dati/progetti.json")
def projects_json():
    def chunks() -> Iterator[str]:
        moment = now()
        return opendata.json_chunks(opendata.stream_records(moment), moment, opendata.published_count(moment))

    return _open("progetti-json", chunks, JSON_TYPE, "crowdfunding-civico-progetti.json")


@bp.get("/dati/traguardi.csv")
def milestones_csv():
    def chunks() -> Iterator[str]:
        return aftercare_data.csv_chunks(aftercare_data.MILESTONES, aftercare_data.stream_milestones(now()))

    return _open("traguardi-csv", chunks, CSV_TYPE, "crowdfunding-civico-traguardi.csv")


@bp.get("/dati/traguardi.json")
def milestones_json():
    def chunks() -> Iterator[str]:
        moment = now()
        return aftercare_data.json_chunks(aftercare_data.MILESTONES, aftercare_data.stream_milestones(moment), moment)

    return _open("traguardi-json", chunks, JSON_TYPE, "crowdfunding-civico-traguardi.json")


@bp.get("/dati/indicatori.csv")
def indicators_csv():
    def chunks() -> Iterator[str]:
        return aftercare_data.csv_chunks(aftercare_data.INDICATORS, aftercare_data.stream_indicators(now()))

    return _open("indicatori-csv", chunks, CSV_TYPE, "crowdfunding-civico-indicatori.csv")


@bp.get("/dati/indicatori.json")
def indicators_json():
    def chunks() -> Iterator[str]:
        moment = now()
        return aftercare_data.json_chunks(aftercare_data.INDICATORS, aftercare_data.stream_indicators(moment), moment)

    return _open("indicatori-json", chunks, JSON_TYPE, "crowdfunding-civico-indicatori.json")


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
        milestone_fields=aftercare_data.MILESTONE_FIELDS,
        milestone_statuses=MILESTONE_STATUS_LABELS,
        indicator_fields=aftercare_data.INDICATOR_FIELDS,
        indicators=INDICATOR_LABELS,
    )
