"""The demo of the accompaniment: the coach signs in with the README's password and the code of
`flask demo-code coach`; the demo organisation's campaign is being prepared, unpublished, with its
coach and a readiness score below the edition's minimum; the coach's office hours exist and are on
no public page; on the November clock a featured campaign leads the home page. Seeding twice
creates nothing twice, and nobody is e-mailed."""

from __future__ import annotations

import pyotp
import pytest
import sqlalchemy as sa

from portal.demo.accompaniment import (
    DEMO_TEAM,
    FEATURED_SLUG,
    OFFICE_HOURS,
    READINESS_MINIMUM,
    TITLE,
    seed_demo_accompaniment,
)
from portal.demo.applications import DEMO_PASSWORD
from portal.demo.campaigns import seed_demo_campaigns
from portal.demo.seed import DEMO_COACH
from portal.extensions import db
from portal.models import Campaign, Edition, Event, EventKind, OutboxMessage, Role, User
from portal.services.campaigns.readiness import readiness_of
from tests.accounts import code_step, password_step
from tests.campaigns import NOVEMBER
from tests.gallery_data import GALLERY, titles

JUNE = "2020-06-01T10:00:00+02:00"  # the demo's clock (`make run`)


@pytest.fixture
def seeded(app):
    with app.app_context():
        seed_demo_campaigns()
        edition = db.session.scalars(sa.select(Edition).filter_by(year=2020)).one()
        return seed_demo_accompaniment(edition)


def _team_campaign() -> Campaign:
    return db.session.scalars(sa.select(Campaign).filter_by(title=TITLE)).one()


def _office_hours() -> list[Event]:
    return list(db.session.scalars(sa.select(Event).filter_by(kind=EventKind.OFFICE_HOUR).order_by(Event.starts_at)))


def test_the_coach_signs_in_with_the_readme_password_and_the_demo_code(app, seeded, client):
    with app.app_context():
        coach = db.session.scalars(sa.select(User).filter_by(email=DEMO_COACH["email"])).one()
        assert coach.role is Role.COACH and coach.name == "Giulia Coach — demo"
    assert (
        password_step(client, DEMO_COACH["email"], DEMO_COACH["password"]).headers["Location"] == "/it/accesso/codice"
    )
    response = code_step(client, pyotp.TOTP(DEMO_COACH["totp_secret"]).now())
    assert response.status_code == 302 and response.headers["Location"] == "/it/accompagnamento/"


def test_seed_demo_loads_the_accompaniment_and_demo_code_prints_the_coachs_code(app, runner):
    app.config["DEMO_ACCOUNTS"] = True
    try:
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        assert (
            "Demo accompaniment: 1 campaign being prepared with its coach, 2 office hours, 1 featured" in result.output
        )
        again = runner.invoke(args=["seed-demo"]).output
        assert "Demo accompaniment: 0 campaign being prepared with its coach, 0 office hours, 0 featured" in again
        output = runner.invoke(args=["demo-code", "coach"]).output.strip()
    finally:
        app.config.pop("DEMO_ACCOUNTS")
    assert pyotp.TOTP(DEMO_COACH["totp_secret"]).verify(output)


def test_the_team_signs_in_and_its_campaign_is_being_prepared_with_the_coach(app, seeded, client, at):
    at(NOVEMBER)
    with app.app_context():
        campaign = _team_campaign()
        assert campaign.published_at is None and campaign.application_id is not None
        assert campaign.coach.email == DEMO_COACH["email"]
        team = db.session.scalars(sa.select(User).filter_by(email=DEMO_TEAM["email"])).one()
        assert team.role is Role.APPLICANT and team.organisation_id == campaign.organisation_id
        # Half filled: below the edition's minimum, with room to rise.
        score = readiness_of(campaign).score
        minimum = db.session.get(Edition, campaign.edition_id).readiness_minimum
        assert minimum == READINESS_MINIMUM and 0 < score < minimum
        assert campaign.image_file is None and len(campaign.rewards) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0  # nobody told
    assert password_step(client, DEMO_TEAM["email"], DEMO_PASSWORD).status_code == 302
    assert client.get("/it/domanda/").status_code == 200
    # Not public: nowhere in the gallery.
    assert TITLE not in titles(app.test_client().get(GALLERY + "?q=cortili"))


def test_the_coachs_office_hours_are_ahead_and_on_no_public_page(app, seeded, client, at):
    at(NOVEMBER)
    with app.app_context():
        slots = _office_hours()
        assert [(s.starts_at, s.ends_at) for s in slots] == OFFICE_HOURS
        coach_id = db.session.scalar(sa.select(User.id).filter_by(email=DEMO_COACH["email"]))
        assert {s.coach_id for s in slots} == {coach_id} and {s.edition_id for s in slots} == {None}
        slugs = [s.slug for s in slots]
    calendar = client.get("/it/calendario").get_data(as_text=True)
    assert "Ricevimento" not in calendar
    for slug in slugs:
        assert slug not in calendar and client.get(f"/it/eventi/{slug}").status_code == 404


def test_on_the_november_clock_the_featured_campaign_leads_the_home_page(app, seeded, client, at):
    at(NOVEMBER)
    with app.app_context():
        featured = db.session.scalars(sa.select(Campaign).filter_by(slug=FEATURED_SLUG)).one()
        title, featured_at = featured.title, featured.featured_at
    assert featured_at is not None
    home = client.get("/it/")
    assert titles(home)[0] == title and 'class="campaign-featured"' in home.get_data(as_text=True)
    assert titles(client.get(GALLERY))[0] == title


def test_seeding_again_creates_nothing_twice(app, seeded):
    assert seeded == {"minimum": 1, "campaigns": 1, "office_hours": 2, "featured": 1}
    with app.app_context():
        edition = db.session.scalars(sa.select(Edition).filter_by(year=2020)).one()
        before = (_team_campaign().id, [s.id for s in _office_hours()])
        assert seed_demo_accompaniment(edition) == {"minimum": 0, "campaigns": 0, "office_hours": 0, "featured": 0}
        assert (_team_campaign().id, [s.id for s in _office_hours()]) == before
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User).filter_by(email=DEMO_TEAM["email"])) == 1
