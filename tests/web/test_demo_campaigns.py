"""The demo campaigns: every state at the November clock, the real figures, made-up ones marked, idempotent."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.domain.campaign import CampaignState
from portal.domain.pledge import PledgeStatus
from portal.extensions import db
from portal.models import Campaign, OutboxMessage, Pledge
from portal.services.cofunding import campaign_state, is_public
from portal.services.demo_campaign_data import PROJECTS
from portal.services.demo_campaigns import csv_rows, seed_demo_campaigns
from tests.campaigns import NOVEMBER, NOVEMBER_AT


@pytest.fixture
def seeded(app):
    with app.app_context():
        return seed_demo_campaigns()


def campaigns(app) -> dict[str, Campaign]:
    return {c.slug: c for c in db.session.scalars(sa.select(Campaign))}


def test_at_the_november_clock_every_state_is_shown(app, seeded):
    assert seeded["campaigns"] == len(PROJECTS) + 2 and seeded["pledges"] > 100
    with app.app_context():
        states = {}
        for campaign in campaigns(app).values():
            assert is_public(campaign, NOVEMBER_AT), campaign.slug
            states.setdefault(campaign_state(campaign, NOVEMBER_AT), []).append(campaign.slug)
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
        assert (verde.goal_cents, verde.target_cents, verde.grant_cents) == (10_450_00, 4_200_00, 6_270_00)
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
        assert f"Demo campaigns created: {len(PROJECTS) + 2}" in result.output
        assert "Demo campaigns created: 0, demo pledges: 0." in runner.invoke(args=["seed-demo"]).output
    finally:
        app.config.pop("DEMO_ACCOUNTS")
    at(NOVEMBER)
    tracker = app.test_client().get("/it/bando/2020/cofinanziamento").get_data(as_text=True)
    assert "Quel verde in fondo al tunnel" in tracker and "Merende al parco" in tracker
