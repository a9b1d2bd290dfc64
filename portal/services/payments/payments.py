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
from enum import StrEnum

import sqlalchemy as sa

from portal.domain import DomainError
from portal.domain.payment_reference import TOKEN_BYTES, new_reference
from portal.domain.pledge import PaidVia, PledgeStatus
from portal.extensions import db
from portal.models import CampaignReward, Edition, Pledge
from portal.services.campaigns import campaign_mail
from portal.services.campaigns.locking import locked_campaign
from portal.services.cofunding.match_funding import commit_grant_if_due
from portal.services.transaction import transactional


class PledgeError(StrEnum):
    NOT_POSITIVE = "not_positive"
    NOT_OPEN = "not_open"  # outside the window or before publication
    REWARD_UNKNOWN = "reward_unknown"
    BELOW_REWARD = "below_reward"  # less than the reward's minimum
    REWARD_GONE = "reward_gone"  # none left


class PaymentOutcome(StrEnum):
    """What a payment did: the first four come from `confirm_payment`, the others from the bank
    import and the provider's notifications. Stored as is in ``ProviderEvent.outcome``."""

    CONFIRMED = "confirmed"
    NOT_PENDING = "not_pending"  # already paid or cancelled
    AMOUNT_MISMATCH = "amount_mismatch"
    UNKNOWN_REFERENCE = "unknown_reference"
    ALREADY_IMPORTED = "already_imported"  # bank import: the transaction was imported before
    RECEIVED = "received"  # provider: recorded, not acted on yet
    PAYMENT_FAILED = "payment_failed"  # provider: the payment did not go through
    DUPLICATE = "duplicate"  # provider: an event id seen before (nothing changes)


@dataclass(frozen=True)
class PledgeRequest:
    amount_cents: int
    email: str
    name: str | None  # None: anonymous
    message: str | None
    reward_id: int | None
    lang: str


@transactional
def create_pledge(campaign_id: int, request: PledgeRequest, now: datetime) -> Pledge:
    """A pending pledge with a unique payment reference, and the e-mail with the instructions.

    Refused with ``DomainError`` and a `PledgeError`: ``NOT_OPEN`` outside the window or before
    publication, ``REWARD_UNKNOWN``, ``BELOW_REWARD`` (less than the reward's minimum) and
    ``REWARD_GONE`` (none left). The campaign's row is locked, so the last reward is never given twice.
    """
    if request.amount_cents <= 0:
        raise DomainError(PledgeError.NOT_POSITIVE)
    campaign = locked_campaign(campaign_id)
    if not campaign.takes_pledges(now):
        raise DomainError(PledgeError.NOT_OPEN)
    reward = None
    if request.reward_id is not None:
        reward = db.session.execute(
            sa.select(CampaignReward)
            .filter_by(id=request.reward_id, campaign_id=campaign.id)
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if reward is None:
            raise DomainError(PledgeError.REWARD_UNKNOWN)
        if request.amount_cents < reward.min_pledge_cents:
            raise DomainError(PledgeError.BELOW_REWARD, minimum=reward.min_pledge_cents)
        if reward.left == 0:
            raise DomainError(PledgeError.REWARD_GONE)
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
    return pledge


def _unused_reference(edition_year: int) -> str:
    """40 random bits: a collision is rare, and the unique constraint is the last word."""
    while True:
        reference = new_reference(edition_year, secrets.token_bytes(TOKEN_BYTES))
        if db.session.scalar(sa.select(Pledge.id).filter_by(reference=reference)) is None:
            return reference


@dataclass(frozen=True)
class Confirmation:
    outcome: PaymentOutcome  # CONFIRMED, NOT_PENDING, AMOUNT_MISMATCH or UNKNOWN_REFERENCE
    pledge: Pledge | None = None
    grant_cents: int = 0  # committed by this confirmation


@transactional
def confirm_payment(reference: str, amount_cents: int, via: PaidVia, payment_id: str, now: datetime) -> Confirmation:
    """Mark the pending pledge with this reference as paid, if the amount is the pledge's.

    Adds it to the campaign's confirmed total and supporters, then asks the match-funding
    rule whether the grant is now due, and commits it in the same transaction. Called by a
    transactional caller, it joins its transaction (so a statement row or a provider event is
    recorded with the confirmation).
    """
    campaign_id = db.session.scalar(sa.select(Pledge.campaign_id).filter_by(reference=reference))
    if campaign_id is None:
        return Confirmation(PaymentOutcome.UNKNOWN_REFERENCE)
    campaign = locked_campaign(campaign_id)
    pledge = db.session.execute(
        sa.select(Pledge).filter_by(reference=reference).execution_options(populate_existing=True)
    ).scalar_one()
    if pledge.status is not PledgeStatus.PENDING:
        return Confirmation(PaymentOutcome.NOT_PENDING, pledge)
    if pledge.amount_cents != amount_cents:
        return Confirmation(PaymentOutcome.AMOUNT_MISMATCH, pledge)
    pledge.status = PledgeStatus.CONFIRMED
    pledge.confirmed_at = now
    pledge.paid_via = via
    pledge.payment_id = payment_id
    campaign.pending_cents -= pledge.amount_cents
    campaign.confirmed_cents += pledge.amount_cents
    campaign.supporters += 1
    granted = commit_grant_if_due(campaign, now)
    campaign_mail.queue_pledge_confirmed(pledge, campaign, now)
    return Confirmation(PaymentOutcome.CONFIRMED, pledge, granted)
