"""`flask demo-payment`: the demo plays the payment provider through the real, signed webhook."""

import pytest

from portal.domain.pledge import PledgeStatus
from portal.extensions import db
from portal.models import Campaign, Pledge, ProviderEvent
from tests.campaigns import NOVEMBER, make_campaign, pledge


@pytest.fixture
def demo(app, at):
    at(NOVEMBER)
    app.config["DEMO_ACCOUNTS"] = True
    yield
    app.config["DEMO_ACCOUNTS"] = False


def test_a_signed_notification_confirms_the_pledge_and_unlocks_the_grant(app, data, demo, runner):
    campaign_id = make_campaign(app)
    reference = pledge(app, campaign_id, 8_000_00)

    result = runner.invoke(args=["demo-payment", reference.lower().replace("-", " ")])

    assert result.exit_code == 0, result.output
    assert '"outcome":"confirmed"' in result.output.replace(" ", "")
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert (campaign.confirmed_cents, campaign.grant_cents) == (8_000_00, 12_000_00)
        assert db.session.scalar(db.select(ProviderEvent.outcome)) == "confirmed"


def test_a_different_amount_is_recorded_not_confirmed(app, data, demo, runner):
    campaign_id = make_campaign(app)
    reference = pledge(app, campaign_id, 50_00)

    result = runner.invoke(args=["demo-payment", reference, "--amount", "40"])

    assert "amount_mismatch" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(Pledge.status)) is PledgeStatus.PENDING


def test_unknown_references_and_bad_amounts_are_refused_with_a_message(app, data, demo, runner):
    reference = pledge(app, make_campaign(app), 50_00)
    assert "No pledge has the reference" in runner.invoke(args=["demo-payment", "CC2020-AAAAAAAA-A"]).output
    assert "is not an amount" in runner.invoke(args=["demo-payment", reference, "--amount", "abc"]).output


def test_outside_the_demo_the_command_refuses(app, data, runner, at):
    at(NOVEMBER)
    reference = pledge(app, make_campaign(app), 50_00)
    result = runner.invoke(args=["demo-payment", reference])
    assert result.exit_code != 0 and "Only available in the demo" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(Pledge.status)) is PledgeStatus.PENDING
