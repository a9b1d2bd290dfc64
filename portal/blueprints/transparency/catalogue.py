"""The open-data catalogue (DCAT-AP_IT) as Turtle and JSON-LD, and its address that answers with either."""

from __future__ import annotations

from flask import Response, redirect, request, url_for

from portal.blueprints.transparency import bp
from portal.clock import now
from portal.services import opendata_catalogue
from portal.services.campaigns.opendata import LICENCE_URL

TURTLE = "text/turtle"
JSON_LD = "application/ld+json"


def _catalogue(kind: str, mimetype: str, filename: str) -> Response:
    response = Response(opendata_catalogue.serialised(kind, now()), content_type=f"{mimetype}; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"  # public metadata: any site (a harvester) may read it
    response.headers["Link"] = f'<{LICENCE_URL}>; rel="license"'
    return response


@bp.get("/dati/catalogo.ttl")
def catalogue_turtle():
    return _catalogue("turtle", TURTLE, "crowdfunding-civico-catalogo.ttl")


@bp.get("/dati/catalogo.jsonld")
def catalogue_jsonld():
    return _catalogue("json-ld", JSON_LD, "crowdfunding-civico-catalogo.jsonld")


@bp.get("/dati/catalogo")
def catalogue():
    """The catalogue's own identifier (its datasets are `#fragments` of it): 303 to the
    description in the format the client accepts, Turtle unless it prefers JSON-LD."""
    best = request.accept_mimetypes.best_match([TURTLE, JSON_LD], default=TURTLE)
    endpoint = "transparency.catalogue_jsonld" if best == JSON_LD else "transparency.catalogue_turtle"
    response = redirect(url_for(endpoint), code=303)
    response.vary.add("Accept")
    return response
