"""The editions and events of the real programme, loaded idempotently.

Figures come from the 2020 call and, for 2016, from the sources listed in
portal/data/milano/SOURCES.md; what no source gives is left empty (None) and
the pages show it as not available.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from portal.clock import ROME
from portal.extensions import db
from portal.models import Edition, Event, EventKind, Role, Venue
from portal.services.accounts import accounts
from portal.services.evaluation import evaluation
from portal.services.transaction import transactional


def _rome(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ROME)


EDITIONS: list[dict[str, Any]] = [
    {
        "year": 2016,
        "number": 1,
        "platform_partner": "Eppela",
        "match_percent": 50,
        "match_cap_cents": 50_000_00,
        "eligible_legal_forms": [],
        "projects_selected": 22,
        "campaigns_online": 18,
        "campaigns_cofunded": 16,
        "crowd_raised_cents": 333_136_00,
        "comune_granted_cents": 323_882_00,
        "results_source_url": "https://www.eppela.com/it/news/244-16-motivi-per-gioire",
        "focus_it": "La prima edizione del Crowdfunding Civico: i progetti dei quartieri raccolti online "
        "e raddoppiati dal Comune.",
        "focus_en": "The first edition of Crowdfunding Civico: neighbourhood projects funded online, "
        "with the Comune doubling what citizens gave.",
    },
    {
        "year": 2020,
        "number": 2,
        "applications_close_at": _rome(2020, 8, 1, 0, 0),  # last day: 31 July 2020
        # Estimate for the demo: no source gives when the selection's results were expected; the
        # first campaigns went online on 30 October 2020 (portal/demo/campaigns.py).
        "results_expected_on": date(2020, 10, 15),
        "max_cost_cents": 100_000_00,
        "max_duration_months": 12,
        "campaign_days": 60,
        "threshold_percent": 40,
        "match_percent": 60,
        "match_cap_cents": 60_000_00,
        "budget_cents": 500_000_00,
        "budget_is_floor": True,  # the source: "oltre 500.000 euro"; pages read "oltre 500.000 €"
        "eligible_legal_forms": ["associazione", "fondazione", "impresa_sociale"],
        "department": "Assessorato al Lavoro e Attività produttive",
        "platform_partner": "Produzioni dal Basso",
        "training_partner": "Ginger Crowdfunding",
        "communication_partner": "Super – Scuola Superiore d'Arte Applicata",
        "eu_programme": "PON Città Metropolitane 2014-2020",
        "focus_it": "Questa edizione nasce per far ripartire la città dopo l'emergenza COVID-19: "
        "sostiene progetti di innovazione sociale e culturale che coinvolgono cittadini e comunità "
        "nei quartieri, soprattutto in quelli periferici.",
        "focus_en": "This edition sets out to help the city restart after the COVID-19 emergency: "
        "it backs social and cultural innovation projects that involve residents and local "
        "communities in the neighbourhoods, above all the outlying ones.",
    },
]

GINGER = {"name": "Ginger Crowdfunding", "role_it": "docenti del percorso", "role_en": "course teachers"}

# The councillors (assessori) who presented the 2020 call: one source for their names and roles,
# which the info session's speakers and summary use. The announcement gives Cristina Tajani's
# portfolio (labour, commerce and human resources) and no portfolio for Gabriele Rabaiotti.
TAJANI = {
    "name": "Cristina Tajani",
    "role_it": "Assessora al Lavoro, Commercio e Risorse umane del Comune di Milano",
    "role_en": "Councillor for Labour, Commerce and Human Resources, Comune di Milano",
}
RABAIOTTI = {
    "name": "Gabriele Rabaiotti",
    "role_it": "Assessore del Comune di Milano",
    "role_en": "Councillor, Comune di Milano",
}
ASSESSORI = (TAJANI, RABAIOTTI)

EVENTS: list[dict[str, Any]] = [
    {
        "year": 2020,
        "slug": "sessione-informativa-2020",
        "kind": EventKind.INFO_SESSION,
        "title_it": "Sessione informativa sul bando Crowdfunding Civico 2020",
        "title_en": "Info session on the Crowdfunding Civico 2020 call",
        "summary_it": f"L'assessora {TAJANI['name']}, l'assessore {RABAIOTTI['name']} e i partner tecnici "
        "presentano il bando e rispondono alle domande: chi può partecipare, come funziona il "
        "cofinanziamento, come preparare la domanda.",
        "summary_en": f"The councillors {TAJANI['name']} and {RABAIOTTI['name']} and the technical partners "
        "present the call and answer questions: who may apply, how match funding works, how to prepare "
        "an application.",
        "starts_at": _rome(2020, 6, 3, 15, 30),
        "ends_at": _rome(2020, 6, 3, 17, 0),  # planned slot; the source gives only the start
        "venue": Venue.YOUTUBE,
        "join_url": "https://www.youtube.com/user/comunemilano",  # the Comune's channel; staff may update it
        "is_join_url_public": True,
        "speakers": [
            *ASSESSORI,
            {
                "name": "Produzioni dal Basso",
                "role_it": "partner tecnico, piattaforma di crowdfunding",
                "role_en": "technical partner, crowdfunding platform",
            },
            {
                "name": "Ginger Crowdfunding",
                "role_it": "partner tecnico, formazione",
                "role_en": "technical partner, training",
            },
        ],
    },
    {
        "year": 2020,
        "slug": "corso-2020-lezione-1",
        "join_url": "https://zoom.example/j/crowdfunding-civico-2020-lezione-1",  # demo link: staff set the real one
        "capacity": 100,  # demo figure: staff set each lesson's capacity
        "kind": EventKind.LESSON,
        "position": 1,
        "title_it": "Le opportunità del crowdfunding: come e perché progettare una campagna",
        "title_en": "What crowdfunding offers: how and why to design a campaign",
        "starts_at": _rome(2020, 6, 15, 16, 0),
        "ends_at": _rome(2020, 6, 15, 18, 0),
        "venue": Venue.ZOOM,
        "is_join_url_public": False,
        "speakers": [GINGER],
    },
    {
        "year": 2020,
        "slug": "corso-2020-lezione-2",
        "join_url": "https://zoom.example/j/crowdfunding-civico-2020-lezione-2",  # demo link: staff set the real one
        "capacity": 100,  # demo figure: staff set each lesson's capacity
        "kind": EventKind.LESSON,
        "position": 2,
        "title_it": "Ogni campagna è una storia speciale: scriverla, girare un video, organizzare le ricompense",
        "title_en": "Every campaign is a special story: writing it, making a video, organising the rewards",
        "starts_at": _rome(2020, 6, 22, 16, 0),
        "ends_at": _rome(2020, 6, 22, 18, 0),
        "venue": Venue.ZOOM,
        "is_join_url_public": False,
        "speakers": [GINGER],
    },
    {
        "year": 2020,
        "slug": "corso-2020-lezione-3",
        "join_url": "https://zoom.example/j/crowdfunding-civico-2020-lezione-3",  # demo link: staff set the real one
        "capacity": 100,  # demo figure: staff set each lesson's capacity
        "kind": EventKind.LESSON,
        "position": 3,
        "title_it": "Non solo raccolta fondi: i canali e il piano editoriale per promuovere una campagna",
        "title_en": "Not only fundraising: the channels and the editorial plan that promote a campaign",
        "starts_at": _rome(2020, 6, 29, 16, 0),
        "ends_at": _rome(2020, 6, 29, 18, 0),
        "venue": Venue.ZOOM,
        "is_join_url_public": False,
        "speakers": [GINGER],
    },
]


# Settings staff change on the portal: the seed gives them a first value and never overwrites them.
STAFF_MANAGED = frozenset({"capacity", "join_url", "recording_url", "materials_url"})


def _upsert(model, key: dict[str, Any], values: dict[str, Any], keep: frozenset[str] = frozenset()):
    row = db.session.execute(db.select(model).filter_by(**key)).scalar_one_or_none()
    created = row is None
    if created:
        row = model(**key)
        db.session.add(row)
    for name, value in values.items():
        if created or name not in keep:
            setattr(row, name, value)
    return row


@transactional
def seed_editions() -> dict[str, int]:
    """Create or update the real editions and their events; running it twice changes nothing."""
    editions = {}
    for data in EDITIONS:
        values = {k: v for k, v in data.items() if k != "year"}
        editions[data["year"]] = _upsert(Edition, {"year": data["year"]}, values)
    db.session.flush()
    for data in EVENTS:
        values = {k: v for k, v in data.items() if k not in ("slug", "year")}
        values["edition_id"] = editions[data["year"]].id
        _upsert(Event, {"slug": data["slug"]}, values, keep=STAFF_MANAGED)
    evaluation.add_example_criteria(editions[2020])  # labelled as an example wherever shown
    return {"editions": len(EDITIONS), "events": len(EVENTS)}


# Demo accounts, for `make run` only (README): never loaded by production set-ups.
DEMO_STAFF = {
    "email": "staff@comune.milano.example",
    "name": "Giulia Demo (staff)",
    "password": "demo-staff-2020",
    # Add it to any authenticator app, or print the current code with `flask demo-code`.
    "totp_secret": "CCMILANODUEMILAVENTIDEMOSTAFFXYZ",
}


DEMO_EVALUATOR = {
    "email": "valutatore@comune.milano.example",
    "name": "Paolo Demo (valutatore)",
    "password": "demo-evaluator-2020",
    "totp_secret": "CCMILANODUEMILAVENTIDEMOEVALUATE",
}
# The coach who accompanies the demo's project being prepared (portal/demo/accompaniment.py).
DEMO_COACH = {
    "email": "coach@comune.milano.example",
    "name": "Giulia Coach — demo",
    "password": "demo-coach-2020",
    "totp_secret": "CCMILANODUEMILAVENTIDEMOCOACHXYZ",
}
DEMO_BACK_OFFICE = ((DEMO_STAFF, Role.STAFF), (DEMO_EVALUATOR, Role.EVALUATOR), (DEMO_COACH, Role.COACH))


@transactional
def seed_demo_accounts(now: datetime) -> int:
    """The demo staff, evaluator and coach accounts, second factor already set up; running it twice changes nothing."""
    created = 0
    for demo, role in DEMO_BACK_OFFICE:
        if accounts.user_by_email(demo["email"]) is not None:
            continue
        user = accounts.create_user(demo["email"], demo["name"], demo["password"], role, now)
        user.email_confirmed_at = now
        user.totp_secret = demo["totp_secret"]
        user.totp_enabled_at = now
        created += 1
    return created
