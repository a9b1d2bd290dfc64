"""The demo organisation that runs a campaign (`barona@demo.example`): it signs in with the README's
password, finds its campaign from its home on the June clock (being prepared) and on the November
one (live), and the campaign's public facts and the co-funding budget are what they were."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from portal.demo.applications import DEMO_PASSWORD
from portal.demo.campaign_data import PROJECTS
from portal.demo.campaign_owner import DEMO_CAMPAIGN_OWNER
from portal.demo.campaigns import csv_rows, real_campaign, seed_demo_campaigns
from portal.domain.application import ApplicationStatus
from portal.extensions import db
from portal.models import Application, Campaign, CampaignUpdate, Edition, OutboxMessage, User
from portal.services.cofunding import ledger
from tests.accounts import csrf_from, password_step
from tests.campaigns import NOVEMBER, NOVEMBER_AT

EMAIL = DEMO_CAMPAIGN_OWNER["email"]
JUNE = "2020-06-01T10:00:00+02:00"  # the demo's clock (`make run`)
PUBLIC_FACTS = (
    "title",
    "summary",
    "story",
    "organisation_name",
    "theme",
    "nil_id",
    "municipio",
    "goal_cents",
    "target_cents",
    "reserved_cents",
    "starts_at",
    "ends_at",
    "published_at",
    "demo_estimates",
    "source_urls",
)


@pytest.fixture
def seeded(app):
    with app.app_context():
        return seed_demo_campaigns()


def _owner_and_campaign() -> tuple[User, Application, Campaign]:
    user = db.session.scalars(sa.select(User).filter_by(email=EMAIL)).one()
    application = db.session.scalars(sa.select(Application).filter_by(organisation_id=user.organisation_id)).one()
    return user, application, db.session.scalars(sa.select(Campaign).filter_by(slug="lab-barona")).one()


def _text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def _links(response) -> list[str]:
    return re.findall(r'href="([^"]+)"', response.get_data(as_text=True))


def test_the_selected_application_became_lab_barona_with_its_public_facts_unchanged(app, seeded):
    with app.app_context():
        user, application, campaign = _owner_and_campaign()
        assert application.status is ApplicationStatus.SELECTED and application.admissible
        assert campaign.application_id == application.id and campaign.application_id is not None
        assert campaign.organisation_id == user.organisation_id == application.organisation_id  # receipts
        assert application.title == campaign.title == "Lab Barona"
        assert (application.total_cost_cents, application.reserved_cents) == (20_000_00, 12_000_00)
        assert application.protocol_number.startswith("CC2020-")
        assert [change.status for change in application.history] == [
            ApplicationStatus.DRAFT,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.IN_EVALUATION,
            ApplicationStatus.SELECTED,
        ]
        edition = db.session.scalars(sa.select(Edition).filter_by(year=2020)).one()
        project = next(p for p in PROJECTS if p.slug == "lab-barona")
        from_sources = real_campaign(project, csv_rows()[project.title], edition)
        assert {name: getattr(campaign, name) for name in PUBLIC_FACTS} == {
            name: getattr(from_sources, name) for name in PUBLIC_FACTS
        }
        # The budget holds its 12.000 € once: as the campaign's reserve, not again as a selection.
        summary = ledger.summary_of(edition, NOVEMBER_AT)
        assert summary.not_public_count == 0
        campaigns = db.session.scalars(sa.select(Campaign).filter_by(edition_id=edition.id)).all()
        assert ledger.used_cents(edition, NOVEMBER_AT) == sum(c.share(NOVEMBER_AT).used_cents for c in campaigns)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0  # nobody told


def test_seeding_again_adds_no_second_account_or_application(app, seeded):
    with app.app_context():
        _, application, _ = _owner_and_campaign()
        before = (application.id, application.protocol_number)
        assert seed_demo_campaigns() == {"campaigns": 0, "pledges": 0}
        _, application, campaign = _owner_and_campaign()
        assert (application.id, application.protocol_number) == before == (campaign.application_id, before[1])
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User).filter_by(email=EMAIL)) == 1


def _sign_in_and_open_the_campaign_area(client) -> tuple[str, str]:
    """From the sign-in form to the campaign's photos and updates, by the links a person follows;
    the photos can be changed (the upload form is there)."""
    assert password_step(client, EMAIL, DEMO_PASSWORD).status_code == 302
    home = client.get("/it/domanda/")
    assert re.search(r"Domanda CC2020-\d{4} inviata il domenica 31 maggio 2020", _text(home)), _text(home)
    receipt_url = next(link for link in _links(home) if link.endswith("/ricevuta"))
    receipt = client.get(receipt_url)
    assert receipt.status_code == 200 and "Selezionata" in _text(receipt)
    updates_url = next(link for link in _links(receipt) if link.endswith("/aggiornamenti"))
    photos_url = next(link for link in _links(receipt) if link.endswith("/foto"))
    photos = client.get(photos_url)
    assert photos.status_code == 200 and "Carica la foto" in _text(photos)
    return photos_url, updates_url


def test_on_the_june_clock_the_organisation_prepares_its_campaigns_photos(app, seeded, client, at):
    at(JUNE)
    photos_url, updates_url = _sign_in_and_open_the_campaign_area(client)
    visitor = app.test_client()
    assert visitor.get("/it/progetti/lab-barona").status_code == 404  # public from 30 October
    for url in (photos_url, updates_url):
        page = client.get(url)
        assert page.status_code == 200
        assert "/it/progetti/lab-barona" not in " ".join(_links(page)), f"{url} links to a page not public yet"


def test_on_the_november_clock_the_organisation_posts_an_update_people_see(app, seeded, client, at):
    at(NOVEMBER)
    _, updates_url = _sign_in_and_open_the_campaign_area(client)
    token = csrf_from(client.get(updates_url).get_data(as_text=True))
    form = {"csrf_token": token, "titolo": "Il banco da lavoro è arrivato", "testo": "<p>Grazie a tutti!</p>"}
    assert client.post(updates_url, data=form).status_code == 303
    with app.app_context():
        user, _, campaign = _owner_and_campaign()
        posted = db.session.scalars(sa.select(CampaignUpdate).filter_by(campaign_id=campaign.id)).all()
        assert [(u.title, u.author_id) for u in posted] == [("Il banco da lavoro è arrivato", user.id)]
    assert "Il banco da lavoro è arrivato" in _text(app.test_client().get("/it/progetti/lab-barona"))
