"""The open-data catalogue: DCAT-AP_IT as Turtle and JSON-LD, validated against the official DCAT-AP
2.1.1 SHACL shapes and the Italian profile's mandatory properties (tests/contracts/dcat-ap/)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, RDF, SH, XSD
from rdflib.namespace import DCTERMS as DCT

from tests.campaigns import NOVEMBER, make_campaign
from tests.scaling import analyse, assert_same_cost

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts" / "dcat-ap"
DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SITE = "http://127.0.0.1:5000"


def shapes(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(CONTRACTS / name, format="turtle")
    return graph


DCAT_AP = ("dcat-ap_2.1.1_shacl_shapes.ttl", "dcat-ap_2.1.1_shacl_range.ttl")
DCAT_AP_IT = ("dcat-ap_it_mandatory.ttl",)


@pytest.fixture(scope="module")
def shape_sets():
    return {"DCAT-AP 2.1.1": shapes(*DCAT_AP), "DCAT-AP_IT": shapes(*DCAT_AP_IT)}


def conformance(graph: Graph, shape_graph: Graph) -> tuple[bool, str]:
    conforms, _, report = validate(graph, shacl_graph=shape_graph, inference="none", allow_warnings=False)
    return conforms, report


def violated_paths(graph: Graph, shape_graph: Graph) -> set[URIRef]:
    """The properties the validation report finds wrong (its sh:resultPath values)."""
    _, results, _ = validate(graph, shacl_graph=shape_graph, inference="none", allow_warnings=False)
    return set(results.objects(None, SH.resultPath))


def catalogue(client, suffix: str, media_type: str) -> Graph:
    response = client.get(f"/dati/catalogo.{suffix}")
    assert response.status_code == 200
    assert response.mimetype == media_type and "charset=utf-8" in response.content_type
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return Graph().parse(data=response.get_data(as_text=True), format="turtle" if suffix == "ttl" else "json-ld")


@pytest.fixture
def published(app, at):
    make_campaign(app, "Lab Barona")
    at(NOVEMBER)


def test_turtle_and_json_ld_describe_the_same_graph(client, published):
    turtle = catalogue(client, "ttl", "text/turtle")
    json_ld = catalogue(client, "jsonld", "application/ld+json")
    assert len(turtle) > 100
    assert isomorphic(turtle, json_ld)


def test_the_catalogue_conforms_to_dcat_ap_and_dcat_ap_it(client, published, shape_sets):
    graph = catalogue(client, "ttl", "text/turtle")
    for name, shape_graph in shape_sets.items():
        conforms, report = conformance(graph, shape_graph)
        assert conforms, f"{name}:\n{report}"


def test_what_the_catalogue_says_of_its_datasets(client, published):
    graph = catalogue(client, "ttl", "text/turtle")
    catalogue_node = URIRef(f"{SITE}/dati/catalogo")
    assert (catalogue_node, RDF.type, DCATAPIT.Catalog) in graph
    publisher = graph.value(catalogue_node, DCT.publisher)
    assert graph.value(publisher, DCT.identifier) == Literal("c_f205")
    datasets = {
        graph.value(node, DCT.identifier).toPython(): node for node in graph.objects(catalogue_node, DCAT.dataset)
    }
    assert set(datasets) == {
        "c_f205:crowdfunding-civico-progetti",
        "c_f205:crowdfunding-civico-traguardi",
        "c_f205:crowdfunding-civico-indicatori",
        "c_f205:crowdfunding-civico-cofinanziamento",
    }
    projects = datasets["c_f205:crowdfunding-civico-progetti"]
    assert {(title.language, str(title)) for title in graph.objects(projects, DCT.title)} == {
        ("it", "Progetti e campagne del Crowdfunding Civico"),
        ("en", "Civic Crowdfunding projects and campaigns"),
    }
    formats = {
        str(graph.value(part, DCAT.downloadURL)): str(graph.value(part, DCT.format))
        for part in graph.objects(projects, DCAT.distribution)
    }
    assert formats == {
        f"{SITE}/dati/progetti.csv": "http://publications.europa.eu/resource/authority/file-type/CSV",
        f"{SITE}/dati/progetti.json": "http://publications.europa.eu/resource/authority/file-type/JSON",
    }
    assert graph.value(projects, DCT.modified) == Literal("2020-11-15", datatype=XSD.date)  # today, in Rome
    contact = graph.value(projects, DCAT.contactPoint)
    assert str(graph.value(contact, VCARD.hasEmail)) == "mailto:crowdfunding.civico@comune.milano.example"
    ledger = datasets["c_f205:crowdfunding-civico-cofinanziamento"]
    trackers = {str(graph.value(part, DCAT.accessURL)) for part in graph.objects(ledger, DCAT.distribution)}
    assert f"{SITE}/it/bando/2020/cofinanziamento" in trackers


def test_a_broken_catalogue_does_not_conform(client, published, shape_sets):
    graph = catalogue(client, "ttl", "text/turtle")
    dataset = next(graph.subjects(RDF.type, DCAT.Dataset))
    graph.remove((dataset, DCT.title, None))
    for name, shape_graph in shape_sets.items():
        assert violated_paths(graph, shape_graph) == {DCT.title}, name


def test_a_distribution_without_licence_or_format_does_not_conform_to_the_italian_profile(
    client, published, shape_sets
):
    graph = catalogue(client, "ttl", "text/turtle")
    distribution = next(graph.subjects(RDF.type, DCAT.Distribution))
    graph.remove((distribution, DCT.license, None))
    graph.remove((distribution, DCT.format, None))
    assert violated_paths(graph, shape_sets["DCAT-AP_IT"]) == {DCT.license, DCT["format"]}


def test_every_address_of_the_catalogue_answers(client, published):
    graph = catalogue(client, "ttl", "text/turtle")
    addresses = {str(url) for url in graph.objects(None, DCAT.accessURL)}
    addresses |= {str(url) for url in graph.objects(None, DCAT.downloadURL)}
    addresses |= {str(url) for url in graph.objects(None, DCAT.landingPage)}
    paths = {urlsplit(address).path for address in addresses}
    assert paths >= {
        "/dati/progetti.csv",
        "/dati/progetti.json",
        "/dati/traguardi.csv",
        "/dati/traguardi.json",
        "/dati/indicatori.csv",
        "/dati/indicatori.json",
        "/it/bando/2020/cofinanziamento",
        "/it/dati-aperti",
    }
    for address in sorted(addresses):
        assert address.startswith(SITE), address
        assert client.get(urlsplit(address).path).status_code == 200, address


def test_the_catalogue_reads_no_campaign_and_is_built_once_per_data_version(app, client, published, count_queries):
    """It describes the datasets, not their rows: the same statements with one campaign or thirty
    (the published editions, kept per data version), and a second request reads the version only."""
    with count_queries() as small:
        client.get("/dati/catalogo.jsonld")
    for number in range(30):
        make_campaign(app, f"Progetto {number}", slug=f"progetto-{number}")
    with app.app_context():
        analyse()
    with count_queries() as big:
        built = client.get("/dati/catalogo.jsonld").data
    with app.app_context():
        assert_same_cost(small, big)
    assert len(big.statements) == 3  # the data version, its next time boundary, the published editions
    with count_queries() as again:
        assert client.get("/dati/catalogo.jsonld").data == built
    assert len(again.statements) == 1  # the data version; the catalogue itself from memory


def test_the_catalogue_address_sends_to_the_format_asked(client):
    for accept, target in (
        ("application/ld+json", "/dati/catalogo.jsonld"),
        ("text/turtle", "/dati/catalogo.ttl"),
        ("*/*", "/dati/catalogo.ttl"),
    ):
        response = client.get("/dati/catalogo", headers={"Accept": accept})
        assert response.status_code == 303
        assert response.headers["Location"] == target
        assert "Accept" in response.headers["Vary"]


def test_the_catalogue_is_cacheable_like_the_other_open_data(client):
    first = client.get("/dati/catalogo.ttl")
    assert "public" in first.headers.get("Cache-Control", "")
    assert first.headers.get("ETag")
    again = client.get("/dati/catalogo.ttl", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_open_data_page_links_the_catalogue(client):
    for lang in ("it", "en"):
        html = client.get(f"/{lang}/dati-aperti").get_data(as_text=True)
        assert 'href="/dati/catalogo.ttl" type="text/turtle"' in html
        assert 'href="/dati/catalogo.jsonld" type="application/ld+json"' in html
