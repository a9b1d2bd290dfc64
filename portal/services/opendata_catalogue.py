"""The open-data catalogue: the portal's datasets described in DCAT-AP_IT, as Turtle and JSON-LD.

A `dcat:Catalog` published by the Comune di Milano (IPA code `c_f205`) lists four datasets:

- the projects and their campaigns (`/dati/progetti.csv`, `/dati/progetti.json`: one record per
  public campaign, services/campaigns/opendata.py);
- the milestones of the funded projects (`/dati/traguardi.csv`, `/dati/traguardi.json`) and their
  impact indicators (`/dati/indicatori.csv`, `.json`), services/aftercare/opendata.py;
- the co-funding ledger: where each published edition's budget stands (committed, paid). It has no
  file of its own: each edition's tracker page is a distribution in HTML.

Every dataset is generated from the current data at each request (the campaigns' state at that
instant), so each is described as continuously updated and modified today (Rome): the date only
changes at midnight, which is a time boundary of the data version (services/data_version.py), so a
cached catalogue is never stale. Titles and descriptions are written once, in Italian, through the
translations (`_l`), and given in both languages (`@it`, `@en`).

The vocabularies are the EU's (data themes, frequencies, file types, languages) as DCAT-AP_IT
requires; each concept used is described in the graph (its class and label), as the DCAT-AP SHACL
shapes check the range of every property. tests/web/test_data_catalogue.py validates the graph
against the official DCAT-AP 2.1.1 shapes and the Italian profile's mandatory properties
(tests/contracts/dcat-ap/).

rdflib is imported on first use, not by every worker (tests/web/test_worker_memory.py); the
serialised text is kept per data version (`data_version.memo`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.clock import to_rome
from portal.services import data_version
from portal.services.campaigns.opendata import LICENCE_URL, SOURCE
from portal.services.editions.editions import published_editions
from portal.urls import absolute_url

if TYPE_CHECKING:
    from rdflib import Graph, URIRef

IPA_CODE = "c_f205"  # the Comune di Milano in the Indice delle Pubbliche Amministrazioni
PUBLISHER_NAME = "Comune di Milano"  # its official name in the IPA
LANGUAGES = ("it", "en")

DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
DCATAPIT = "http://dati.gov.it/onto/dcatapit#"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
EU = "http://publications.europa.eu/resource/authority/"
THEMES = EU + "data-theme"
LICENCE_TYPE = "http://purl.org/adms/licencetype/Attribution"
IANA = "https://www.iana.org/assignments/media-types/"

# The EU data themes the datasets use, with the vocabulary's own labels.
THEME_LABELS = {
    "GOVE": ("Governo e settore pubblico", "Government and public sector"),
    "SOCI": ("Popolazione e società", "Population and society"),
    "ECON": ("Economia e finanze", "Economy and finance"),
}

FORMATS = {  # a distribution's format: the EU file type and the IANA media type
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "html": ("HTML", "text/html"),
}

# The JSON-LD's prefixes: the same graph as the Turtle, readable.
CONTEXT = {
    "dcat": DCAT,
    "dct": DCT,
    "dcatapit": DCATAPIT,
    "foaf": FOAF,
    "vcard": VCARD,
    "skos": SKOS,
    "owl": OWL,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


@dataclass(frozen=True)
class Distribution:
    key: str  # the fragment of its identifier
    title: object  # a lazy string
    url: str
    kind: str  # a key of FORMATS
    download: bool = True  # a file (downloadURL), or a page (accessURL only)


@dataclass(frozen=True)
class Dataset:
    key: str
    title: object
    description: object
    themes: tuple[str, ...]
    distributions: tuple[Distribution, ...]

    @property
    def identifier(self) -> str:
        return f"{IPA_CODE}:crowdfunding-civico-{self.key}"


def datasets() -> tuple[Dataset, ...]:
    projects = Dataset(
        "progetti",
        _l("Progetti e campagne del Crowdfunding Civico"),
        _l(
            "Un record per ogni campagna pubblicata di ogni edizione del bando: il progetto, "
            "l'organizzazione, il Municipio e il NIL, l'obiettivo, la soglia dei cittadini, le "
            "donazioni confermate, il contributo del Comune e lo stato della raccolta."
        ),
        ("SOCI", "GOVE"),
        (
            Distribution("progetti-csv", _l("Progetti in CSV"), absolute_url("transparency.projects_csv"), "csv"),
            Distribution("progetti-json", _l("Progetti in JSON"), absolute_url("transparency.projects_json"), "json"),
        ),
    )
    milestones = Dataset(
        "traguardi",
        _l("Tappe dei progetti finanziati"),
        _l(
            "Le tappe del piano di ogni progetto finanziato, con la data prevista, lo stato "
            "(previsto, in corso, completato, in ritardo) e la data di completamento."
        ),
        ("SOCI", "GOVE"),
        (
            Distribution(
                "traguardi-csv",
                _l("Tappe dei progetti finanziati in CSV"),
                absolute_url("transparency.milestones_csv"),
                "csv",
            ),
            Distribution(
                "traguardi-json",
                _l("Tappe dei progetti finanziati in JSON"),
                absolute_url("transparency.milestones_json"),
                "json",
            ),
        ),
    )
    indicators = Dataset(
        "indicatori",
        _l("Indicatori di impatto dei progetti finanziati"),
        _l(
            "Gli indicatori scelti da ogni progetto finanziato (persone raggiunte, eventi, volontari…), "
            "con l'obiettivo e il valore raggiunto comunicato dall'organizzazione."
        ),
        ("SOCI", "GOVE"),
        (
            Distribution(
                "indicatori-csv",
                _l("Indicatori di impatto in CSV"),
                absolute_url("transparency.indicators_csv"),
                "csv",
            ),
            Distribution(
                "indicatori-json",
                _l("Indicatori di impatto in JSON"),
                absolute_url("transparency.indicators_json"),
                "json",
            ),
        ),
    )
    ledger = Dataset(
        "cofinanziamento",
        _l("Cofinanziamento del Comune per edizione del bando"),
        _l(
            "Come il Comune usa il budget per il cofinanziamento di ogni edizione: quanto è riservato "
            "ai progetti, impegnato e pagato, per Municipio e per stato delle campagne."
        ),
        ("GOVE", "ECON"),
        tuple(
            Distribution(
                f"cofinanziamento-{edition.year}",
                _l("Cofinanziamento del bando %(year)s", year=edition.year),
                absolute_url("transparency.tracker", lang="it", year=edition.year),
                "html",
                download=False,
            )
            for edition in published_editions()
        ),
    )
    # A dataset without a distribution is not open data yet (DCAT-AP_IT: at least one).
    return tuple(dataset for dataset in (projects, milestones, indicators, ledger) if dataset.distributions)


def catalogue_uri() -> str:
    return absolute_url("transparency.catalogue")


def build_graph(now: datetime) -> Graph:
    """The catalogue as an rdflib graph, as of `now`."""
    from rdflib import Graph, Literal, Namespace, URIRef  # noqa: PLC0415 - lazily: every worker otherwise
    from rdflib.namespace import DCAT as dcat  # noqa: PLC0415, N811
    from rdflib.namespace import DCTERMS as dct  # noqa: PLC0415, N811
    from rdflib.namespace import FOAF as foaf  # noqa: PLC0415, N811
    from rdflib.namespace import OWL as owl  # noqa: PLC0415, N811
    from rdflib.namespace import RDF, XSD  # noqa: PLC0415
    from rdflib.namespace import SKOS as skos  # noqa: PLC0415, N811

    # Terms none of which is also a method of str (a Namespace is a str: use DCTERMS for dct:title).
    dcatapit, vcard = Namespace(DCATAPIT), Namespace(VCARD)
    base = catalogue_uri()
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in CONTEXT.items():
        graph.bind(prefix, namespace)
    today = Literal(to_rome(now).date(), datatype=XSD.date)

    def node(fragment: str) -> URIRef:
        return URIRef(f"{base}#{fragment}")

    def add(subject: URIRef, *pairs: tuple) -> URIRef:
        for predicate, value in pairs:
            graph.add((subject, predicate, value))
        return subject

    def both(subject: URIRef, predicate: URIRef, text: object) -> None:
        for lang in LANGUAGES:
            with force_locale(lang):
                graph.add((subject, predicate, Literal(str(text), lang=lang)))

    # Who publishes and holds the data, and whom to ask.
    comune = add(
        node("comune-di-milano"),
        (RDF.type, dcatapit.Agent),
        (RDF.type, foaf.Agent),
        (dct.identifier, Literal(IPA_CODE)),
        (foaf.name, Literal(PUBLISHER_NAME)),
    )
    contact = add(
        node("punto-di-contatto"),
        (RDF.type, dcatapit.Organization),
        (RDF.type, vcard.Organization),
        (RDF.type, vcard.Kind),
        (vcard.fn, Literal(SOURCE)),
        (vcard.hasEmail, URIRef(f"mailto:{current_app.config['CONTACT_EMAIL']}")),
        (vcard.hasURL, URIRef(absolute_url("pages.contacts", lang="it"))),
    )
    licence = add(
        URIRef(LICENCE_URL),
        (RDF.type, dcatapit.LicenseDocument),
        (RDF.type, dct.LicenseDocument),
        (dct.type, URIRef(LICENCE_TYPE)),
        (foaf.name, Literal("CC BY")),
        (owl.versionInfo, Literal("4.0")),
    )
    add(URIRef(LICENCE_TYPE), (RDF.type, skos.Concept), (skos.prefLabel, Literal("Attribution", lang="en")))

    # The EU vocabularies' terms used below, each with its class (and a label where DCAT-AP asks one).
    themes = add(URIRef(THEMES), (RDF.type, skos.ConceptScheme), (dct.title, Literal("Data theme", lang="en")))
    for code, labels in THEME_LABELS.items():
        theme = add(URIRef(f"{THEMES}/{code}"), (RDF.type, skos.Concept), (skos.inScheme, themes))
        for lang, label in zip(LANGUAGES, labels, strict=True):
            graph.add((theme, skos.prefLabel, Literal(label, lang=lang)))
    continuously = add(URIRef(EU + "frequency/UPDATE_CONT"), (RDF.type, dct.Frequency))
    languages = [add(URIRef(EU + f"language/{code}"), (RDF.type, dct.LinguisticSystem)) for code in ("ITA", "ENG")]
    for file_type, media_type in FORMATS.values():
        add(URIRef(EU + f"file-type/{file_type}"), (RDF.type, dct.MediaTypeOrExtent))
        add(URIRef(IANA + media_type), (RDF.type, dct.MediaType))
    landing_page = add(URIRef(absolute_url("transparency.opendata_page", lang="it")), (RDF.type, foaf.Document))
    home_page = add(URIRef(absolute_url("pages.home", lang="it")), (RDF.type, foaf.Document))

    catalogue = add(
        URIRef(base),
        (RDF.type, dcatapit.Catalog),
        (RDF.type, dcat.Catalog),
        (dct.publisher, comune),
        (dct.modified, today),
        (dct.license, licence),
        (foaf.homepage, home_page),
        (dcat.themeTaxonomy, themes),
        *((dct.language, language) for language in languages),
    )
    both(catalogue, dct.title, _l("Dati aperti del Crowdfunding Civico"))
    both(
        catalogue,
        dct.description,
        _l(
            "I dati aperti del programma di crowdfunding civico del Comune di Milano: i progetti e le "
            "loro campagne, le tappe e gli indicatori di impatto dei progetti finanziati e il "
            "cofinanziamento del Comune."
        ),
    )

    for dataset in datasets():
        subject = add(
            node(dataset.key),
            (RDF.type, dcatapit.Dataset),
            (RDF.type, dcat.Dataset),
            (dct.identifier, Literal(dataset.identifier)),
            (dct.modified, today),
            (dct.accrualPeriodicity, continuously),
            (dct.rightsHolder, comune),
            (dct.publisher, comune),
            (dcat.contactPoint, contact),
            (dcat.landingPage, landing_page),
            *((dcat.theme, URIRef(f"{THEMES}/{code}")) for code in dataset.themes),
            *((dct.language, language) for language in languages),
        )
        both(subject, dct.title, dataset.title)
        both(subject, dct.description, dataset.description)
        graph.add((catalogue, dcat.dataset, subject))
        for distribution in dataset.distributions:
            file_type, media_type = FORMATS[distribution.kind]
            part = add(
                node(distribution.key),
                (RDF.type, dcatapit.Distribution),
                (RDF.type, dcat.Distribution),
                (dct.format, URIRef(EU + f"file-type/{file_type}")),
                (dcat.mediaType, URIRef(IANA + media_type)),
                (dcat.accessURL, URIRef(distribution.url)),
                (dct.license, licence),
            )
            if distribution.download:
                graph.add((part, dcat.downloadURL, URIRef(distribution.url)))
            both(part, dct.title, distribution.title)
            graph.add((subject, dcat.distribution, part))
    return graph


def serialised(kind: str, now: datetime) -> str:
    """The catalogue as Turtle (`kind="turtle"`) or JSON-LD (`"json-ld"`), kept per data version."""

    def compute() -> str:
        graph = build_graph(now)
        if kind == "json-ld":
            return graph.serialize(format="json-ld", context=CONTEXT, indent=2)
        return graph.serialize(format="turtle")

    return data_version.memo(f"opendata_catalogue.{kind}", compute)
