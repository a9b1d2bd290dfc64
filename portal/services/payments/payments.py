"""Pledges and their payment: a new pledge, and a confirmation from the bank statement or the provider.

Every path that changes a campaign's totals (these, and the closing run in
`services.campaigns.closing`) first locks the campaign's row, so concurrent confirmations add
up exactly; a confirmation then asks the match-funding engine (`services.cofunding.match_funding`)
whether the grant is due, in the same transaction, so it is committed exactly once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal.domain import DomainError
from portal.domain.payment_reference import TOKEN_BYTES, new_reference
from portal.domain.pledge import PaidVia, PledgeStatus
from portal.domain.timeline import EventStatus, event_status
from portal.extensions import db
from portal.models import CampaignReward, Edition, Pledge
from portal.services.campaigns import campaign_mail
from portal.services.campaigns.locking import locked_campaign
from portal.services.cofunding.match_funding import commit_grant_if_due


@dataclass(frozen=True)
class PledgeRequest:
    amount_cents: int
    email: str
    name: str | None  # None: anonymous
    message: str | None
    reward_id: int | None
    lang: str


def create_pledge(campaign_id: int, request: PledgeRequest, now: datetime) -> Pledge:
    """A pending pledge with a unique payment reference, and the e-mail with the instructions.

    Refused with ``DomainError``: ``not_open`` outside the window or before publication,
    ``reward_unknown``, ``below_reward`` (less than the reward's minimum) and ``reward_gone``
    (none left). The campaign's row is locked, so the last reward is never given twice.
    """
    if request.amount_cents <= 0:
        raise DomainError("not_positive")
    campaign = locked_campaign(campaign_id)
    if (
        campaign.published_at is None
        or campaign.published_at > now
        or event_status(campaign.starts_at, campaign.ends_at, now) is not EventStatus.LIVE
    ):
        raise DomainError("not_open")
    reward = None
    if request.reward_id is not None:
        reward = db.session.execute(
            sa.select(CampaignReward)
            .filter_by(id=request.reward_id, campaign_id=campaign.id)
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if reward is None:
            raise DomainError("reward_unknown")
        if request.amount_cents < reward.min_pledge_cents:
            raise DomainError("below_reward", minimum=reward.min_pledge_cents)
        if reward.left == 0:
            raise DomainError("reward_gone")
        reward.claimed += 1
    edition_year = db.session.scalar(sa.select(Edition.year).filter_by(id=campaign.edition_id))
    pledge = Pledge(
        campaign_id=campaign.id,
        reward_id=reward.id if reward else None,
        amount_cents=request.amount_cents,
        reference=_unused_reference(edition_year),
        name=request.name or None,
        email=request.email.strip().lower(),
        message=request.message or None,
        lang=request.lang,
        status=PledgeStatus.PENDING,
        consent_at=now,
        created_at=now,
    )
    db.session.add(pledge)
    campaign.pending_cents += request.amount_cents
    db.session.flush()
    campaign_mail.queue_pledge_instructions(pledge, campaign, now)
    db.session.commit()
    return pledge


def _unused_reference(edition_year: int) -> str:
    """40 random bits: a collision is rare, and the unique constraint is the last word."""
    while True:
        reference = new_reference(edition_year, secrets.token_bytes(TOKEN_BYTES))
        if db.session.scalar(sa.select(Pledge.id).filter_by(reference=reference)) is None:
            return reference


@dataclass(frozen=True)
class Confirmation:
    outcome: str  # "confirmed", "not_pending", "amount_mismatch", "unknown_reference"
    pledge: Pledge | None = None
    grant_cents: int = 0  # committed by this confirmation


def confirm_payment(reference: str, amount_cents: int, via: PaidVia, payment_id: str, now: datetime) -> Confirmation:
    """Mark the pending pledge with this reference as paid, if the amount is the pledge's.

    Adds it to the campaign's confirmed total and supporters, then asks the match-funding
    rule whether the grant is now due, and commits it in the same transaction. The caller
    commits (so a statement row or a provider event is recorded with the confirmation).
    """
    campaign_id = db.session.scalar(sa.select(Pledge.campaign_id).filter_by(reference=reference))
    if campaign_id is None:
        return Confirmation("unknown_reference")
    campaign = locked_campaign(campaign_id)
    pledge = db.session.execute(
        sa.select(Pledge).filter_by(reference=reference).execution_options(populate_existing=True)
    ).scalar_one()
    if pledge.status is not PledgeStatus.PENDING:
        return Confirmation("not_pending", pledge)
    if pledge.amount_cents != amount_cents:
        return Confirmation("amount_mismatch", pledge)
    pledge.status = PledgeStatus.CONFIRMED
    pledge.confirmed_at = now
    pledge.paid_via = via
    pledge.payment_id = payment_id
    campaign.pending_cents -= pledge.amount_cents
    campaign.confirmed_cents += pledge.amount_cents
    campaign.supporters += 1
    granted = commit_grant_if_due(campaign, now)
    campaign_mail.queue_pledge_confirmed(pledge, campaign, now)
    return Confirmation("confirmed", pledge, granted)
