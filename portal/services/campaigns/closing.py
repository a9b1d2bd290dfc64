"""Closing campaigns whose window has ended (`flask close-campaigns`, run by cron)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal.domain.campaign import CampaignState, closing_outcome
from portal.domain.following import NewsKind
from portal.domain.pledge import PledgeStatus
from portal.extensions import db
from portal.models import Campaign, Pledge
from portal.services.aftercare import instalments
from portal.services.campaigns import campaign_mail, following
from portal.services.campaigns.locking import locked_campaign
from portal.services.payments.checkout import expire_abandoned_in
from portal.services.payments.refunds import open_refunds
from portal.services.transaction import own_transaction


@dataclass(frozen=True)
class Closing:
    campaign_id: int
    succeeded: bool
    cancelled: int
    to_refund: int


def close_due_campaigns(now: datetime) -> list[Closing]:
    """Close every published campaign whose window has ended: succeeded with the grant,
    otherwise not funded. Pending pledges are cancelled; a not-funded campaign's confirmed
    pledges are marked for refund. A closed campaign is never closed again, so running this
    twice changes nothing."""
    due = db.session.scalars(
        sa.select(Campaign.id)
        .where(Campaign.is_published, Campaign.closed_at.is_(None), Campaign.ends_at <= now)
        .order_by(Campaign.id)
    ).all()
    closings = []
    for campaign_id in due:
        # A batch, one transaction per campaign: each campaign's lock is held only while it closes,
        # and a campaign closed stays closed (with its e-mails queued) whatever happens to the next.
        with own_transaction():
            campaign = locked_campaign(campaign_id)
            if campaign.closed_at is not None:  # closed by a run at the same time
                continue
            closings.append(_close(campaign, now))
    return closings


def _close(campaign: Campaign, now: datetime) -> Closing:
    # Card checkouts abandoned before the end are expired (not charged, their rewards released)
    # rather than cancelled as unpaid: their supporters are told what really happened.
    expire_abandoned_in(campaign, now)
    pledges = {
        p.reference: p
        for p in db.session.scalars(
            sa.select(Pledge).where(
                Pledge.campaign_id == campaign.id, Pledge.status.in_([PledgeStatus.PENDING, PledgeStatus.CONFIRMED])
            )
        )
    }
    outcome = closing_outcome(
        ends_at=campaign.ends_at,
        now=now,
        grant_committed=campaign.grant_committed,
        pending_references=sorted(r for r, p in pledges.items() if p.status is PledgeStatus.PENDING),
        confirmed_references=sorted(r for r, p in pledges.items() if p.status is PledgeStatus.CONFIRMED),
    )
    cancelled = [pledges[reference] for reference in outcome.to_cancel]
    refunds = [pledges[reference] for reference in outcome.to_refund]
    for pledge in cancelled:
        pledge.status = PledgeStatus.CANCELLED
        pledge.cancelled_at = now
        if pledge.reward is not None:
            pledge.reward.claimed -= 1
    for pledge in refunds:
        pledge.status = PledgeStatus.REFUND_DUE
    campaign.pending_cents = 0
    campaign.closed_at = now
    campaign_mail.queue_campaign_closed(campaign, cancelled, refunds, now)
    following.announce(campaign.id, NewsKind.OUTCOME, now)
    if outcome.state is CampaignState.SUCCEEDED:
        # The money goes to the organisation: each confirmed supporter gets their receipt.
        confirmed = [p for p in pledges.values() if p.status is PledgeStatus.CONFIRMED]
        campaign_mail.queue_receipts(campaign, sorted(confirmed, key=lambda p: p.id), now)
        # The grant's instalments, from the edition's plan, under the lock this run holds.
        instalments.schedule(campaign, now)
    # Each paid pledge gets its refund (one per pledge, whatever runs again) and its e-mail:
    # a card's goes back through the provider, a bank transfer's waits for the supporter's IBAN.
    open_refunds(refunds, now)
    return Closing(campaign.id, outcome.state is CampaignState.SUCCEEDED, len(cancelled), len(refunds))
