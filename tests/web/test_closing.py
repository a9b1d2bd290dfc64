"""Closing campaigns at the end of their window: succeeded or not funded, pledges cancelled or to refund, once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.domain.pledge import PledgeStatus
from portal.extensions import db
from portal.models import CampaignReward
from tests.campaigns import (
    AFTER_THE_END,
    STARTS_AT,
    TEAM,
    campaign_row,
    close,
    confirm,
    mails,
    make_campaign,
    pledge,
    statuses,
)


def test_closing_a_funded_campaign_cancels_unpaid_pledges_and_frees_their_rewards(app):
    campaign_id = make_campaign(app, rewards=(("Borsa di tela", 2_500, 10),))
    with app.app_context():
        reward_id = db.session.scalars(db.select(CampaignReward.id)).one()
    paid = pledge(app, campaign_id, 800_000, email="anna@example.org")
    unpaid = pledge(app, campaign_id, 5_000, email="bruno@example.org", reward_id=reward_id)
    confirm(app, paid, 800_000)
    with app.app_context():
        assert db.session.get(CampaignReward, reward_id).claimed == 1

    assert close(app, STARTS_AT + timedelta(days=59)) == []  # still open
    [closing] = close(app)
    assert (closing.succeeded, closing.cancelled, closing.to_refund) == (True, 1, 0)
    assert statuses(app, campaign_id) == {paid: PledgeStatus.CONFIRMED, unpaid: PledgeStatus.CANCELLED}
    campaign = campaign_row(app, campaign_id)
    assert (campaign.closed_at, campaign.pending_cents, campaign.confirmed_cents) == (AFTER_THE_END, 0, 800_000)
    assert campaign.grant_cents == 1_200_000
    with app.app_context():
        assert db.session.get(CampaignReward, reward_id).claimed == 0
    assert mails(app, TEAM)[-1][1] == "Campagna conclusa con successo: «Lab Barona»"
    assert mails(app, "bruno@example.org")[-1][1] == "Sostegno annullato: «Lab Barona» si è conclusa"


def test_closing_a_campaign_below_the_target_lists_its_paid_pledges_for_refund(app):
    campaign_id = make_campaign(app)
    paid = pledge(app, campaign_id, 300_000, email="anna@example.org")
    unpaid = pledge(app, campaign_id, 100_000, email="bruno@example.org")
    confirm(app, paid, 300_000)

    [closing] = close(app)
    assert (closing.succeeded, closing.cancelled, closing.to_refund) == (False, 1, 1)
    assert statuses(app, campaign_id) == {paid: PledgeStatus.REFUND_DUE, unpaid: PledgeStatus.CANCELLED}
    campaign = campaign_row(app, campaign_id)
    assert campaign.grant_cents is None and campaign.pending_cents == 0
    team = mails(app, TEAM)[-1]
    assert team[1] == "Campagna conclusa senza raggiungere la soglia: «Lab Barona»"
    assert f"- {paid} · 3.000,00 € · anna@example.org" in team[2]
    assert mails(app, "anna@example.org")[-1][1] == "Rimborso del tuo sostegno a «Lab Barona»"
    # A payment for the cancelled pledge arriving later confirms nothing.
    assert confirm(app, unpaid, 100_000, at=AFTER_THE_END) == ("not_pending", 0)


def test_closing_twice_changes_nothing(app):
    funded = make_campaign(app, "Lab Barona")
    unfunded = make_campaign(app, "Orti in cortile")
    confirm(app, pledge(app, funded, 800_000), 800_000)
    pledge(app, unfunded, 1_000)
    unpublished = make_campaign(app, "Mai pubblicata", published=False)

    first = close(app)
    assert sorted((c.campaign_id, c.succeeded) for c in first) == [(funded, True), (unfunded, False)]
    count = len(mails(app))
    assert close(app) == []
    assert close(app, AFTER_THE_END + timedelta(days=30)) == []
    assert len(mails(app)) == count
    assert campaign_row(app, unpublished).closed_at is None


@pytest.mark.parametrize("lang", ["it", "en"])
def test_close_campaigns_command_reports_what_it_did(app, runner, at, lang):
    campaign_id = make_campaign(app)
    confirm(app, pledge(app, campaign_id, 800_000, lang=lang), 800_000)
    pledge(app, campaign_id, 1_000, lang=lang)
    at("2020-12-30T10:00:00+01:00")

    result = runner.invoke(args=["close-campaigns"])
    assert result.exit_code == 0, result.output
    assert "Lab Barona" in result.output and "succeeded" in result.output and "1 pending cancelled" in result.output
    again = runner.invoke(args=["close-campaigns"])
    assert again.exit_code == 0 and "No campaign to close" in again.output
