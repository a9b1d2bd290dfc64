"""`make bench`'s synthetic city (bench/city.py, bench/seed.py): reproducible, and written through the
real schema with the running totals the services would have kept, so the pages measured show what a
city of that size would see."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from bench.city import SIZES, build
from bench.seed import seed
from portal.domain.campaign import CampaignState
from portal.domain.pledge import PledgeStatus
from portal.domain.registration import RegistrationStatus
from portal.extensions import db
from portal.models import Campaign, CampaignReward, Edition, Event, Pledge, Registration

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
TINY = SIZES["tiny"]


def _rows(city) -> dict[str, list[dict]]:
    return {**city.tables, "pledge": list(city.pledges())}


def test_the_same_seed_and_day_give_the_same_city_and_another_seed_another():
    first, again = _rows(build(TINY, NOW)), _rows(build(TINY, NOW.replace(hour=20)))
    assert first == again
    assert _rows(build(TINY, NOW, seed=17))["pledge"] != first["pledge"]
    assert len(first["campaign"]) == TINY.campaigns
    assert len(first["pledge"]) == TINY.pledges


def test_the_seeded_city_is_consistent_and_its_latest_edition_is_live_now(app, data):
    with app.app_context():
        with db.engine.begin() as conn:
            counts = seed(conn, "tiny", NOW)
        assert counts["campaign"] == TINY.campaigns
        city = sa.select(Campaign.id).join(Campaign.edition).where(Edition.year >= 2022)
        paid = sa.select(
            Pledge.campaign_id,
            sa.func.sum(Pledge.amount_cents).label("cents"),
            sa.func.count().label("supporters"),
        ).where(Pledge.confirmed_at.is_not(None), Pledge.status.in_([PledgeStatus.CONFIRMED, PledgeStatus.REFUND_DUE]))
        sums = {
            row.campaign_id: (row.cents, row.supporters)
            for row in db.session.execute(paid.group_by(Pledge.campaign_id))
        }
        pending = sa.select(Pledge.campaign_id, sa.func.sum(Pledge.amount_cents)).where(
            Pledge.status == PledgeStatus.PENDING
        )
        pending_sums = dict(db.session.execute(pending.group_by(Pledge.campaign_id)).all())
        campaigns = db.session.scalars(sa.select(Campaign).where(Campaign.id.in_(city))).all()
        assert len(campaigns) == TINY.campaigns
        for campaign in campaigns:
            assert (campaign.confirmed_cents, campaign.supporters) == sums.get(campaign.id, (0, 0)), campaign.slug
            assert campaign.pending_cents == pending_sums.get(campaign.id, 0), campaign.slug
            funded = campaign.confirmed_cents >= campaign.target_cents
            assert campaign.grant_committed == funded, campaign.slug

        # Rewards held by pledges pending or paid (the closing run releases only the unpaid ones).
        holding = [PledgeStatus.PENDING, PledgeStatus.CONFIRMED, PledgeStatus.REFUND_DUE]
        claimed = sa.select(sa.func.count()).where(Pledge.reward_id == CampaignReward.id, Pledge.status.in_(holding))
        wrong = db.session.scalars(
            sa.select(CampaignReward.id).where(CampaignReward.claimed != claimed.scalar_subquery())
        ).all()
        assert wrong == []
        seats = sa.select(sa.func.count()).where(
            Registration.event_id == Event.id, Registration.status == RegistrationStatus.CONFIRMED
        )
        assert (
            db.session.scalars(sa.select(Event.slug).where(Event.confirmed_seats != seats.scalar_subquery())).all()
            == []
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) >= TINY.registrations

        # The latest edition is live now, and the campaign with most pledges is the biggest one.
        live = sa.or_(Campaign.in_state(CampaignState.LIVE, NOW), Campaign.in_state(CampaignState.COFUNDED, NOW))
        public = Campaign.is_public(NOW)
        assert db.session.scalar(sa.select(sa.func.count()).where(live, public, Campaign.id.in_(city))) == TINY.live
        most = db.session.execute(
            sa.select(Pledge.campaign_id, sa.func.count()).group_by(Pledge.campaign_id).order_by(sa.func.count().desc())
        ).first()
        assert most[1] == TINY.biggest
