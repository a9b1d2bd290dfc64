"""The demo campaigns: every state at the November clock, the real figures, made-up ones marked, idempotent."""

from __future__ import annotations

from datetime import date, datetime
from html import unescape

import pytest
import sqlalchemy as sa

from portal.blueprints.campaigns.presentation import ESTIMATE_LABELS
from portal.clock import ROME, to_rome
from portal.demo.campaign_data import PROJECTS
from portal.demo.campaigns import csv_rows, seed_demo_campaigns
from portal.demo.campaigns_2016 import LEFT_OUT_2016, PROJECTS_2016, UNKNOWN_ORGANISATION, csv_rows_2016
from portal.domain.campaign import CampaignState
from portal.domain.pledge import PledgeStatus
from portal.extensions import db
from portal.models import Campaign, Edition, EditionDocument, OutboxMessage, Pledge
from portal.services.places.neighbourhoods import nil_or_none
from tests.campaigns import NOVEMBER, NOVEMBER_AT

CREATED = len(PROJECTS) + 2 + len(PROJECTS_2016)  # the real 2020 ones, the two fictional, the real 2016 ones


@pytest.fixture
def seeded(app):
    with app.app_context():
        return seed_demo_campaigns()


def campaigns(app, year: int = 2020) -> dict[str, Campaign]:
    """The demo campaigns of one edition, by slug."""
    query = sa.select(Campaign).join(Edition).where(Edition.year == year)
    return {c.slug: c for c in db.session.scalars(query)}


def test_at_the_november_clock_every_state_is_shown(app, seeded):
    assert seeded["campaigns"] == CREATED and seeded["pledges"] > 100
    with app.app_context():
        states = {}
        for campaign in campaigns(app).values():
            assert campaign.is_public(NOVEMBER_AT), campaign.slug
            states.setdefault(campaign.state(NOVEMBER_AT), []).append(campaign.slug)
    assert set(states) == set(CampaignState)
    assert states[CampaignState.COFUNDED] == ["quel-verde-in-fondo-al-tunnel"]
    assert "lab-barona" in states[CampaignState.LIVE]
    assert "cinemarmocchi" in states[CampaignState.UPCOMING]
    assert [
        s for s in states[CampaignState.SUCCEEDED] + states[CampaignState.NOT_FUNDED] if "dimostrativo" not in s
    ] == []


def test_the_real_figures_are_the_sources(app, seeded):
    with app.app_context():
        found = campaigns(app)
        barona, verde = found["lab-barona"], found["quel-verde-in-fondo-al-tunnel"]
        assert (barona.goal_cents, barona.target_cents, barona.reserved_cents) == (20_000_00, 8_000_00, 12_000_00)
        assert barona.last_day.isoformat() == "2020-12-27" and barona.organisation_name.startswith("La Cordata")
        assert (barona.nil_id, barona.municipio) == (46, 6)
        assert (verde.goal_cents, verde.target_cents, verde.grant_cents) == (10_450_00, 4_200_00, 6_250_00)
        assert not {"goal_cents", "target_cents"} & set(barona.demo_estimates + verde.demo_estimates)
        assert "https://www.ilgiorno.it/milano/cronaca/ecco-lab-barona-repair-cafe-1.6369346" in barona.source_urls
        assert found["restart-ripartiamo-dal-futuro"].goal_cents == 17_500_00  # the source: target = 40 %


def test_every_made_up_figure_is_listed(app, seeded):
    rows = csv_rows()
    with app.app_context():
        found = campaigns(app)
        for project in PROJECTS:
            campaign, row = found[project.slug], rows[project.title]
            estimates = set(campaign.demo_estimates)
            if not row["total_budget_eur"] and project.slug != "restart-ripartiamo-dal-futuro":
                assert {"goal_cents", "reserved_cents"} <= estimates, project.slug
            if not row["crowdfunding_target_eur"] and not row["total_budget_eur"]:
                assert "target_cents" in estimates, project.slug
            if campaign.starts_at > NOVEMBER_AT:
                assert "published_at" in estimates, project.slug
            elif project.slug != "lab-barona":
                assert "ends_at" in estimates, project.slug
            has_pledges = db.session.scalar(sa.select(sa.func.count()).where(Pledge.campaign_id == campaign.id))
            if has_pledges:
                assert {"pledges", "confirmed_cents", "pending_cents", "supporters"} <= estimates, project.slug
            assert campaign.source_urls and all(url.startswith("http") for url in campaign.source_urls)
        fictional = [c for c in found.values() if "dimostrativo" in c.slug]
        assert len(fictional) == 2
        for campaign in fictional:
            assert "(demo)" in campaign.title and "(demo)" in campaign.organisation_name
            assert {"goal_cents", "starts_at", "pledges", "summary"} <= set(campaign.demo_estimates)


def test_demo_pledges_are_fictional_consistent_and_tell_nobody(app, seeded):
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
        pledges = db.session.scalars(sa.select(Pledge)).all()
        assert all(p.email.endswith("@demo.example") for p in pledges)
        assert any(p.name is None for p in pledges)
        assert all(p.name.endswith("(demo)") for p in pledges if p.name)
        statuses = {p.status for p in pledges}
        assert statuses == {
            PledgeStatus.CONFIRMED,
            PledgeStatus.PENDING,
            PledgeStatus.CANCELLED,
            PledgeStatus.REFUND_DUE,
        }
        for campaign in campaigns(app).values():
            mine = [p for p in pledges if p.campaign_id == campaign.id]
            paid = [p for p in mine if p.status in (PledgeStatus.CONFIRMED, PledgeStatus.REFUND_DUE)]
            assert campaign.confirmed_cents == sum(p.amount_cents for p in paid), campaign.slug
            assert campaign.supporters == len(paid)
            waiting = sum(p.amount_cents for p in mine if p.status is PledgeStatus.PENDING)
            assert campaign.pending_cents == waiting
            assert all(p.confirmed_at < NOVEMBER_AT for p in paid)


def test_seeding_again_creates_nothing_and_keeps_what_changed(app, seeded):
    with app.app_context():
        barona = campaigns(app)["lab-barona"]
        barona.title = "Lab Barona – riparare insieme"
        pending = db.session.scalars(
            sa.select(Pledge).where(Pledge.campaign_id == barona.id, Pledge.status == PledgeStatus.PENDING)
        ).first()
        pending.status = PledgeStatus.CANCELLED
        db.session.commit()
        before = (
            db.session.scalar(sa.select(sa.func.count()).select_from(Pledge)),
            db.session.scalar(sa.select(sa.func.sum(Campaign.confirmed_cents))),
        )
        assert seed_demo_campaigns() == {"campaigns": 0, "pledges": 0}
        assert campaigns(app)["lab-barona"].title == "Lab Barona – riparare insieme"
        assert db.session.get(Pledge, pending.id).status is PledgeStatus.CANCELLED
        after = (
            db.session.scalar(sa.select(sa.func.count()).select_from(Pledge)),
            db.session.scalar(sa.select(sa.func.sum(Campaign.confirmed_cents))),
        )
        assert after == before


def test_seed_demo_loads_the_campaigns_in_the_demo_configuration(app, runner, at):
    app.config["DEMO_ACCOUNTS"] = True
    try:
        result = runner.invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        assert f"Demo campaigns created: {CREATED}" in result.output
        assert "Demo campaigns created: 0, demo pledges: 0." in runner.invoke(args=["seed-demo"]).output
    finally:
        app.config.pop("DEMO_ACCOUNTS")
    at(NOVEMBER)
    tracker = app.test_client().get("/it/bando/2020/cofinanziamento").get_data(as_text=True)
    assert "Quel verde in fondo al tunnel" in tracker and "Merende al parco" in tracker


# The 2016 edition: the funded projects of the CSV, closed, with the real figures where the sources give them.

FUNDED_2016 = {p.title for p in PROJECTS_2016}


def test_the_2016_campaigns_are_the_funded_projects_already_closed(app, seeded):
    rows = csv_rows_2016()
    assert {t for t, row in rows.items() if row["outcome"].startswith("funded")} == FUNDED_2016
    for title in set(rows) - FUNDED_2016:  # titled rows left out: their outcome is unknown, and said so
        assert not rows[title]["outcome"] and any(reason.startswith(title) for reason in LEFT_OUT_2016)
    with app.app_context():
        found = campaigns(app, 2016)
        assert {c.title for c in found.values()} == FUNDED_2016
        for campaign in found.values():
            assert to_rome(campaign.starts_at).year == 2016 and campaign.last_day.year == 2016, campaign.slug
            assert campaign.published_at == campaign.starts_at and campaign.closed_at == campaign.ends_at
            assert campaign.starts_at <= campaign.grant_committed_at < campaign.ends_at
            assert campaign.confirmed_cents >= campaign.target_cents and campaign.pending_cents == 0
            assert campaign.grant_cents == min(campaign.confirmed_cents, campaign.target_cents, 50_000_00)
            assert campaign.grant_cents <= campaign.reserved_cents
            for moment in (NOVEMBER_AT, datetime(2016, 12, 31, tzinfo=ROME)):
                assert campaign.state(moment) is CampaignState.SUCCEEDED, campaign.slug
            assert not db.session.scalar(sa.select(sa.func.count()).where(Pledge.campaign_id == campaign.id))


def test_the_2016_real_figures_are_the_sources(app, seeded):
    with app.app_context():
        found = campaigns(app, 2016)
        wendy = found["le-isole-di-wendy"]
        assert (wendy.target_cents, wendy.goal_cents, wendy.grant_cents) == (15_000_00, 30_000_00, 15_000_00)
        assert (wendy.municipio, wendy.nil_id, wendy.organisation_name[:19]) == (4, None, "Spazio Aperto Servi")
        assert (to_rome(wendy.starts_at).date(), wendy.last_day) == (date(2016, 4, 29), date(2016, 6, 19))
        real = {"goal_cents", "target_cents", "reserved_cents", "grant_cents", "starts_at", "ends_at"}
        assert not real & set(wendy.demo_estimates)
        orti = found["pomodorti-urbani"]
        assert (orti.nil_id, orti.municipio) == (76, nil_or_none(76).municipio)
        argento = found["sicurezza-d-argento"]  # city-wide: no Municipio, no NIL
        assert argento.organisation_name == "Cooperativa Punto Service"
        assert (argento.municipio, argento.nil_id) == (None, None)
        assert found["so-lunch"].organisation_name == UNKNOWN_ORGANISATION


def test_every_made_up_2016_figure_is_listed(app, seeded):
    rows = csv_rows_2016()
    with app.app_context():
        found = campaigns(app, 2016)
        for project in PROJECTS_2016:
            campaign, row = found[project.slug], rows[project.title]
            estimates = set(campaign.demo_estimates)
            assert {"confirmed_cents", "supporters", "grant_committed_at"} <= estimates, project.slug
            if not row["crowdfunding_target_eur"]:
                assert {"goal_cents", "target_cents", "reserved_cents", "grant_cents"} <= estimates, project.slug
            if not row["total_budget_eur"] and not project.doubling_in_source:
                assert "goal_cents" in estimates, project.slug
            if not row["round"].startswith("1 ("):
                assert {"starts_at", "ends_at"} <= estimates, project.slug
            assert estimates <= set(ESTIMATE_LABELS), project.slug  # the page words each of them
            assert campaign.source_urls == [u.strip() for u in row["source_urls"].split(" ; ")]
        assert "goal_cents" in found["medicinema"].demo_estimates  # Vita's 70.000 € is not shown as fact


def test_the_2016_campaigns_are_on_the_public_pages(app, seeded, client, at):
    at(NOVEMBER)
    gallery = client.get("/it/progetti?edizione=2016")
    assert gallery.status_code == 200
    shown = unescape(gallery.get_data(as_text=True))
    assert all(title in shown for title in FUNDED_2016) and "Lab Barona" not in shown

    page = client.get("/it/progetti/le-isole-di-wendy")
    assert page.status_code == 200
    html = unescape(page.get_data(as_text=True))
    assert "15.000\u00a0€ della soglia dei cittadini (il 50% del costo)" in html and "Conclusa con successo" in html
    assert "187 persone hanno sostenuto il progetto; l'elenco dei sostenitori non è disponibile" in html
    assert "Nessun pagamento" not in html
    assert "il giorno in cui il contributo è stato sbloccato" in html
    medicinema = unescape(client.get("/it/progetti/medicinema").get_data(as_text=True))
    assert "non dati reali: l'obiettivo, la soglia, il contributo del Comune" in medicinema

    tracker = client.get("/it/bando/2016/cofinanziamento")
    assert tracker.status_code == 200
    text = tracker.get_data(as_text=True)
    assert "non disponibile" in text and "Le Isole di Wendy" in text and "Medicinema" in text

    data = client.get("/dati/progetti.json")
    assert data.status_code == 200
    records = {r["slug"]: r for r in data.get_json()["projects"] if r["edition_year"] == 2016}
    assert {r["title"] for r in records.values()} == FUNDED_2016
    wendy = records["le-isole-di-wendy"]
    assert (wendy["target_eur"], wendy["grant_eur"], wendy["state"]) == ("15000.00", "15000.00", "succeeded")
    assert wendy["demo_estimate"] and "confirmed_cents" in wendy["demo_estimated_fields"]


def test_seeding_again_keeps_the_2016_campaigns_as_they_are(app, seeded):
    with app.app_context():
        wendy = campaigns(app, 2016)["le-isole-di-wendy"]
        wendy.title = "Le Isole di Wendy – spazi per le famiglie"
        db.session.commit()
        assert seed_demo_campaigns() == {"campaigns": 0, "pledges": 0}
        found = campaigns(app, 2016)
        assert len(found) == len(PROJECTS_2016)
        assert found["le-isole-di-wendy"].title == "Le Isole di Wendy – spazi per le famiglie"


def test_the_demo_publishes_the_2020_ranking_and_the_call_page_lists_the_selected_projects(app, seeded, at):
    with app.app_context():
        edition = db.session.scalars(sa.select(Edition).filter_by(year=2020)).one()
        assert to_rome(edition.ranking_published_at).isoformat() == "2020-10-15T12:00:00+02:00"  # an estimate
        titles = [c.title for c in campaigns(app).values()]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EditionDocument)) == 0  # none invented
    visitor = app.test_client()
    at("2020-09-15T10:00:00+02:00")  # evaluation: nothing yet
    assert 'id="graduatoria"' not in visitor.get("/it/bando/2020").get_data(as_text=True)
    at(NOVEMBER)
    page = unescape(visitor.get("/it/bando/2020").get_data(as_text=True))
    section = page.split('id="graduatoria"')[1].split("</section>")[0]
    assert f"{len(titles)} progetti selezionati" in section
    assert all(title in section for title in titles)
    assert "Lab Barona" in section and "12.000" in section  # its reserve: the Comune's maximum
    english = unescape(app.test_client().get("/en/bando/2020").get_data(as_text=True))
    assert "Selected projects." in english.split('id="graduatoria"')[1]

    with app.app_context():  # seeding again keeps the moment (and one staff may have set)
        seed_demo_campaigns()
        edition = db.session.scalars(sa.select(Edition).filter_by(year=2020)).one()
        assert to_rome(edition.ranking_published_at).isoformat() == "2020-10-15T12:00:00+02:00"
