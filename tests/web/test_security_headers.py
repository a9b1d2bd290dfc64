"""Headers people rely on without seeing them: nothing a signed-in person is shown stays in a cache
(every GET route of the URL map, as each role), the sign-in pages neither; HSTS in production."""

from __future__ import annotations

import re
from datetime import date

import pyotp
import pytest

from config import ProdConfig, TestConfig
from portal import create_app
from portal.extensions import db
from portal.models import (
    Assignment,
    Attachment,
    DocumentKind,
    Edition,
    Event,
    NewsletterSubscriber,
    OutboxMessage,
    Pledge,
    Registration,
    Role,
)
from portal.services.accounts import accounts, signup
from portal.services.campaigns import preview as campaign_previews
from portal.services.editions import documents
from portal.services.evaluation import selection
from portal.services.newsletter import issues, subscriptions
from tests.accounts import code_step, csrf_from, make_user, password_step, sign_in
from tests.applicants import pdf_bytes
from tests.campaigns import NOVEMBER, NOVEMBER_AT, make_campaign, pledge
from tests.panel import DECIDED_AT, EVALUATORS, STAFF, evaluated, submitted
from tests.registrations import JUNE_10, lesson_ids
from tests.registrations import sign_up as register_for_lessons

HSTS = "max-age=31536000; includeSubDomains"
APPLICANT = "org1@org.example"  # the organisation whose application was selected
# Files that are the same for every visitor (CSS, fonts, scripts, images) hold nothing personal,
# and caching them keeps the back-office fast: the one route left out of the walk.
SHARED_FILES = {
    "static": "the same files for everyone; nothing personal",
    "media_photo": "campaign photos: the same for everyone, under unguessable names",
}


def no_store(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def link_in_outbox(app, to: str, path: str) -> str:
    with app.app_context():
        bodies = db.session.scalars(db.select(OutboxMessage.body).filter_by(to=to).order_by(OutboxMessage.id.desc()))
        return next(match.group(1) for body in bodies if (match := re.search(rf"/{path}/(\S+)", body)))


@pytest.fixture
def world(app, at):
    """A row of every kind a URL names: applications (one selected, with its campaign), an attachment,
    an evaluator's assignment, a public campaign with a pledge, a course registration, account links."""
    at(JUNE_10)
    register_for_lessons(app.test_client(), lesson_ids(app)[:1], email="corsista@example.org")
    ids = submitted(app, 2)
    evaluated(app, ids)
    published = make_campaign(app, "Orto Giambellino")
    pledge(app, published, 5_000, at=NOVEMBER_AT)
    with app.app_context():
        staff = accounts.user_by_email(STAFF)
        selection.select(ids[1], staff, DECIDED_AT)
        launched = selection.launch(ids[1], date(2020, 10, 30), staff, DECIDED_AT).id
        preview_token = campaign_previews.create_preview_link(launched, staff, DECIDED_AT)
        evaluator = accounts.user_by_email(EVALUATORS[0])
        registration = db.session.scalars(db.select(Registration)).one()
        edition = db.session.scalars(db.select(Edition).filter_by(year=2020)).one()
        call_document = documents.DocumentSettings(DocumentKind.CALL, "Bando", "Call", None)
        document_id = documents.add(edition, call_document, "bando.pdf", pdf_bytes(), staff, DECIDED_AT).id
        signup.send_confirmation(accounts.user_by_email(APPLICANT), NOVEMBER_AT)
        signup.request_reset(APPLICANT, NOVEMBER_AT)
        subscriptions.subscribe("lettrice@example.org", "it", "footer", NOVEMBER_AT)  # the newsletter's links
        issue_id = issues.write_issue(
            {"it": "Oggetto", "en": "Subject"}, {"it": "Testo", "en": "Text"}, staff, NOVEMBER_AT
        ).id
        values = {
            "lang": "it",
            "year": 2020,
            "application_id": ids[1],
            "attachment_id": db.session.scalars(db.select(Attachment.id).filter_by(application_id=ids[1])).one(),
            "campaign_id": launched,
            "assignment_id": db.session.scalars(
                db.select(Assignment.id).filter_by(application_id=ids[1], evaluator_id=evaluator.id)
            ).one(),
            "event_id": registration.event_id,
            "registration_id": registration.id,
            "document_id": document_id,
            "batch_id": 1,  # a SEPA file of refunds (none here: its 404 is never stored either)
            ("call", "slug"): db.session.get(Event, registration.event_id).slug,
            ("campaigns", "slug"): "orto-giambellino",
            ("pages", "slug"): "orto-giambellino",
            "photo_id": 1,
            "report_id": 1,  # a spending report (none here: its 404 is never stored either)
            "instalment_id": 1,
            "filename": "0123456789abcdef0123456789abcdef-480.webp",
            ("courses", "token"): registration.registrant.token,
            ("campaigns", "token"): db.session.scalars(db.select(Pledge.token)).one(),
            ("campaigns.preview", "token"): preview_token,  # the launched campaign's private preview
            ("transparency", "number"): 0,  # the first sitemap of campaigns
            ("pages", "token"): db.session.scalars(db.select(NewsletterSubscriber.token)).one(),
            "issue_id": issue_id,  # a newsletter issue, not sent
        }
    values[("auth", "token")] = {
        "auth.confirm_email": link_in_outbox(app, APPLICANT, "registrazione/conferma"),
        "auth.reset_password": link_in_outbox(app, APPLICANT, "nuova-password"),
    }
    at(NOVEMBER)  # the campaigns are live, the applications decided
    return values


def url_of(app, rule, values: dict) -> str:
    """The rule's URL with every parameter taken from the world's rows (the endpoint's own value
    first, then its area's, then the name's); a new kind of parameter must be given a value here,
    so a route added later is walked too."""
    area = rule.endpoint.split(".")[0]
    filled = {}
    for name in rule.arguments:
        value = values.get((rule.endpoint, name), values.get((area, name), values.get(name)))
        if isinstance(value, dict):
            value = value.get(rule.endpoint)
        assert value is not None, f"give {name!r} of {rule.endpoint} ({rule.rule}) a value from the test data"
        filled[name] = value
    return app.url_map.bind("localhost").build(rule.endpoint, filled)


def get_routes(app) -> list:
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint not in SHARED_FILES]
    return sorted(rules, key=lambda rule: rule.rule)


@pytest.mark.parametrize(
    ("role", "email"),
    [(Role.APPLICANT, APPLICANT), (Role.EVALUATOR, EVALUATORS[0]), (Role.STAFF, STAFF)],
)
def test_every_response_to_a_signed_in_person_is_never_stored(app, world, role, email):
    client = app.test_client()
    sign_in(client, app, email)
    answered = {}
    for rule in get_routes(app):
        url = url_of(app, rule, world)
        response = client.get(url)
        answered[rule.endpoint] = response.status_code
        assert response.status_code < 500, (role, url, response.status_code)
        assert no_store(response), (role, url, response.status_code, response.headers.get("Cache-Control"))
        response.close()  # a streamed body (the open data) lets go of its request
    # The values are real rows: each role's own pages open.
    own = {
        Role.APPLICANT: (
            "applications.home",
            "applications.campaign_updates_page",
            "applications.download",
            "applications.receipt",
        ),
        Role.EVALUATOR: ("evaluation.assignments", "evaluation.assignment"),
        Role.STAFF: ("admin.index", "admin.application", "admin.campaign", "admin.event", "admin.campaign_pledges"),
    }[role]
    public = (
        "pages.home",
        "campaigns.detail",
        "campaigns.pledge_status",
        "campaigns.preview",
        "courses.personal",
        "call.event",
    )
    assert {e: answered[e] for e in own + public if answered[e] != 200} == {}


def test_the_applicants_home_is_never_stored(app):
    make_user(app, "anna@cordata.example", Role.APPLICANT, enrolled=False)
    client = app.test_client()
    response = password_step(client, "anna@cordata.example")
    assert no_store(response)
    home = client.get("/it/domanda/")
    assert home.status_code == 200 and no_store(home)


def test_every_sign_in_response_is_never_stored(app, client):
    secret = make_user(app, STAFF, Role.STAFF)
    assert no_store(client.get("/it/accesso"))
    assert no_store(password_step(client, STAFF, password="not the password"))  # refused, shown again
    to_code = password_step(client, STAFF)
    assert to_code.headers["Location"] == "/it/accesso/codice" and no_store(to_code)
    assert no_store(client.get("/it/accesso/codice"))
    assert no_store(code_step(client, "000000"))
    signed_in = code_step(client, pyotp.TOTP(secret).now())
    assert signed_in.headers["Location"] == "/it/gestione/" and no_store(signed_in)


def test_setting_up_the_second_factor_is_never_stored(app, client):
    make_user(app, STAFF, Role.STAFF, enrolled=False)
    assert no_store(password_step(client, STAFF))
    assert no_store(client.get("/it/accesso/attiva-codice"))  # shows the secret
    assert no_store(code_step(client, "000000", path="accesso/attiva-codice"))


def test_signing_out_is_never_stored(app, client):
    make_user(app, "anna@cordata.example", Role.APPLICANT, enrolled=False)
    password_step(client, "anna@cordata.example")
    token = csrf_from(client.get("/it/contatti").get_data(as_text=True))
    assert no_store(client.post("/it/esci", data={"csrf_token": token}))


def test_public_pages_seen_by_an_anonymous_visitor_may_be_cached(client):
    for path in ("/it/", "/it/progetti", "/dati/progetti.csv", "/dati/catalogo.ttl"):
        assert not no_store(client.get(path)), path


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_not_used")  # production pays by card through Stripe
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_not_used")
    # `make` exports the demo's PORTAL_NOW: production runs on the real clock.
    return create_app(ProdConfig, overrides={"PORTAL_NOW": None})


def test_production_tells_browsers_to_use_https_only(production):
    response = production.test_client().get("/")
    assert response.headers["Strict-Transport-Security"] == HSTS


def test_development_and_tests_send_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert TestConfig.STRICT_TRANSPORT_SECURITY is None


def form_action(response) -> list[str]:
    """The sources of the CSP's form-action directive."""
    directives = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    return directives["form-action"].split()


def test_forms_may_be_redirected_to_the_configured_providers_checkout_and_nowhere_else(app, client, production):
    """The pledge form is answered with a redirect to the hosted checkout: the CSP's form-action names
    the configured provider's origin (the demo's from its URL, Stripe's own) and no other."""
    assert form_action(client.get("/it/")) == ["'self'", "http://127.0.0.1:9"]
    assert form_action(production.test_client().get("/")) == ["'self'", "https://checkout.stripe.com"]
    moved = create_app(TestConfig, overrides={"DEMO_PROVIDER_URL": "http://127.0.0.1:5010/checkout/"})
    assert form_action(moved.test_client().get("/")) == ["'self'", "http://127.0.0.1:5010"]
    bank_only = create_app(TestConfig, overrides={"PAYMENT_PROVIDER": None})
    assert form_action(bank_only.test_client().get("/")) == ["'self'"]
