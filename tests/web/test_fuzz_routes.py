"""Every route of the URL map, sent malformed path and query values, answers without a 5xx.

The routes come from `app.url_map`, so a route added later is held to it without being listed.
Each is sent by GET and by POST (where it takes them, POSTs with a valid CSRF token so the view
runs), anonymously, signed in as staff and as an applicant, with:

- every path parameter in turn replaced by each of `PATH_VALUES` (NUL bytes, numbers outside the
  database's range, huge and odd strings), the others valid;
- a bounded, seeded sample of query strings over the parameters the portal reads and the route's
  own names, set to `QUERY_VALUES`: a few names at a time, and every name at once.

PostgreSQL is where most of these used to fail (it stores no NUL byte and compares no integer
beyond its range); SQLite cannot bind an integer beyond 2**63 − 1. The test runs in both passes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest
from werkzeug.routing import Rule

from portal.extensions import db
from portal.models import Attachment, Campaign, Event, Registration
from tests.accounts import csrf_from, sign_in
from tests.campaigns import NOVEMBER, make_campaign
from tests.panel import STAFF, submitted

SEED = 13
PREVIEW_TOKEN = "Hk3v9Qm2ZpX7wLr4Tn8Yc1Fb6Gd0Js5Ue2Ai7Ko9Nq"  # the shape of secrets.token_urlsafe(32)
APPLICANT = "org0@org.example"

# Already percent-encoded, as they arrive on the wire.
PATH_VALUES = [
    "%00",
    "x%00y",
    str(2**31),
    str(2**31 - 1),
    str(2**63),
    "-1",
    str(10**30),
    "9" * 5000,  # past Python's limit for converting text to int
    "%C2%B2",
    "a" * 10_240,
    "..%2F..%2Fetc%2Fpasswd",
    "%2E%2E",
    "%E2%80%AEfdp.exe",  # RIGHT-TO-LEFT OVERRIDE
    "%E2%80%8F%D7%90",  # RIGHT-TO-LEFT MARK, Hebrew alef
    "%F0%9F%92%A5%F0%9F%8F%9B%EF%B8%8F",  # emoji
    "%FF%FE",  # not UTF-8
    "%C0%AF",  # an overlong slash
    "%ED%A0%80",  # an encoded surrogate
    "%0D%0ALocation:%20x",
]
QUERY_VALUES = [
    "%00",
    "1%002",
    str(2**31),
    str(2**63),
    "-1",
    str(10**30),
    "1e309",
    "nan",
    "%C2%B2",  # SUPERSCRIPT TWO: a digit to str.isdigit, not to int()
    "%D9%A3",  # ARABIC-INDIC DIGIT THREE
    "9" * 5000,
    "a" * 10_240,
    "..%2F..%2F",
    "%E2%80%AE",
    "%F0%9F%92%A5",
    "%FF%FE",
    "%ED%A0%80",
    "",
]
# What the portal's views read from query strings (and names Flask's url_for treats specially).
QUERY_NAMES = [
    "pagina",
    "lezione",
    "edizione",
    "municipio",
    "nil",
    "tema",
    "stato",
    "ordina",
    "q",
    "next",
    "costo",
    "durata",
    "forma",
    "non_profit",
    "sede_milano",
    "_scheme",
    "_external",
    "_anchor",
    "_method",
]
QUERIES_PER_ROUTE = 3  # a few names at once
ALL_NAMES_PER_ROUTE = 3  # every name at once, each with its own value
LANG_SAMPLE = 3
ROLES = ("anonymous", "staff", "applicant")


@pytest.fixture
def world(app, at) -> dict[str, str]:
    """Valid values for each path parameter: the applicant's application and attachment, a campaign
    (and another's private preview link), a lesson and its registration, so that a malformed value
    in one parameter reaches the view."""
    at(NOVEMBER)
    (application_id,) = submitted(app, 1)
    campaign_id = make_campaign(app, "Lab Barona")
    draft_id = make_campaign(app, "Orto in anteprima", published=False)
    with app.app_context():
        db.session.get(Campaign, draft_id).preview_token = PREVIEW_TOKEN  # its private preview link
        db.session.commit()
        event = db.session.scalars(db.select(Event).order_by(Event.id)).first()
        attachment_id = db.session.scalar(db.select(db.func.min(Attachment.id))) or 1
        registration = db.session.scalars(db.select(Registration)).first()
        slug = db.session.get(Campaign, campaign_id).slug
        return {
            "lang": "it",
            "year": "2020",
            "application_id": str(application_id),
            "attachment_id": str(attachment_id),
            "campaign_id": str(campaign_id),
            "event_id": str(event.id),
            "registration_id": str(registration.id if registration else 1),
            "assignment_id": "1",
            "document_id": "1",
            "batch_id": "1",
            "refund_id": "1",
            "issue_id": "1",  # a newsletter issue (none: its 404)
            "photo_id": "1",
            "reward_id": "1",
            "instalment_id": "1",
            "report_id": "1",  # a spending report (none: its 404)
            "slug": slug,
            "event_slug": event.slug,
            "token": "token-di-prova",
            "preview_token": PREVIEW_TOKEN,
            "provider": "demo",
            "filename": "css/portal.css",
            "number": "0",  # the first sitemap of campaigns
        }


def _path(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with `values` put in place of its parameters, as given (already encoded)."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule.rule)


def _valid(rule: Rule, world: dict[str, str]) -> dict[str, str]:
    values = dict(world)
    if rule.endpoint.startswith("call.event"):
        values["slug"] = world["event_slug"]
    if rule.endpoint == "campaigns.preview":
        values["token"] = world["preview_token"]
    return values


def _requests(app, world: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(method, URL) for every route: each path parameter malformed in turn, then sampled queries."""
    rng = random.Random(SEED)
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule, r.endpoint))
    for rule in rules:
        methods = sorted(m for m in rule.methods if m in ("GET", "POST"))
        valid = _valid(rule, world)
        urls = []
        for name in sorted(rule.arguments):
            # The language is checked in one place for every route: a sample of values is enough there.
            values = rng.sample(PATH_VALUES, LANG_SAMPLE) if name == "lang" else PATH_VALUES
            urls += [_path(rule, {**valid, name: value}) for value in values]
        names = QUERY_NAMES + sorted(rule.arguments)
        queries = [
            [(rng.choice(names), rng.choice(QUERY_VALUES)) for _ in range(rng.randint(1, 3))]
            for _ in range(QUERIES_PER_ROUTE)
        ]
        # Rows of a Latin square: name i gets value (row + i), so each name meets different values.
        for row in rng.sample(range(len(QUERY_VALUES)), ALL_NAMES_PER_ROUTE):
            queries.append([(n, QUERY_VALUES[(row + i) % len(QUERY_VALUES)]) for i, n in enumerate(names)])
        for pairs in queries:
            urls.append(_path(rule, valid) + "?" + "&".join(f"{n}={v}" for n, v in pairs))
        for method in methods:
            for url in urls:
                yield method, url


def _client(app, role: str):
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, app, STAFF if role == "staff" else APPLICANT)
    page = "/it/accesso" if role == "anonymous" else "/it/contatti"  # a page with a form for each
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client, token


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_malformed_values_with_a_server_error(app, world, role):
    client, token = _client(app, role)
    failures: list[str] = []
    sent = 0
    for method, url in _requests(app, world):
        sent += 1
        try:
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        except Exception as error:  # noqa: BLE001 - TESTING propagates what would be a 500
            failures.append(f"{method} {url[:120]} -> {type(error).__name__}: {str(error)[:160]}")
            continue
        if response.status_code >= 500:
            failures.append(f"{method} {url[:120]} -> {response.status_code}")
    assert sent > 1000
    assert failures == [], f"{len(failures)} of {sent} requests failed:\n" + "\n".join(failures[:40])
