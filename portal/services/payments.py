"""Pledges, their payment, and the Comune's grant: every change to a campaign's totals happens here.

Every path that changes a campaign's totals (a new pledge, a confirmation from the bank
statement or from the payment provider, the closing run) first locks the campaign's row,
so concurrent confirmations add up exactly and the grant is committed exactly once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal.domain import DomainError
from portal.domain.campaign import CampaignState, closing_outcome, grant_to_commit
from portal.domain.payment_reference import TOKEN_BYTES, new_reference
from portal.domain.pledge import PaidVia, PledgeStatus
from portal.domain.timeline import EventStatus, event_status
from portal.extensions import db
from portal.models import Campaign, CampaignReward, Edition, Pledge
from portal.services import campaign_mail


def locked_campaign(campaign_id: int) -> Campaign:
    """The campaign, its row locked until the transaction ends (a no-op on SQLite, which
    serialises writers anyway), and fresh from the database."""
    campaign = db.session.execute(
        sa.select(Campaign).filter_by(id=campaign_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    return campaign


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
    granted = _commit_grant_if_due(campaign, now)
    campaign_mail.queue_pledge_confirmed(pledge, campaign, now)
    return Confirmation("confirmed", pledge, granted)


def _commit_grant_if_due(campaign: Campaign, now: datetime) -> int:
    """The match-funding engine: the grant, committed once, within what was reserved."""
    edition = db.session.get(Edition, campaign.edition_id)
    if not edition.has_match_rule:
        return 0
    grant = grant_to_commit(
        edition.match_rule,
        goal_cents=campaign.goal_cents,
        reserved_cents=campaign.reserved_cents,
        confirmed_cents=campaign.confirmed_cents,
        already_committed=campaign.grant_committed,
        now=now,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        target_cents=campaign.target_cents,  # fixed at launch: a later change of the rule never moves it
    )
    if grant:
        campaign.grant_cents = grant
        campaign.grant_committed_at = now
        campaign_mail.queue_grant_committed(campaign, now)
    return grant


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
        .where(Campaign.published_at.is_not(None), Campaign.closed_at.is_(None), Campaign.ends_at <= now)
        .order_by(Campaign.id)
    ).all()
    closings = []
    for campaign_id in due:
        campaign = locked_campaign(campaign_id)
        if campaign.closed_at is not None:  # closed by a run at the same time
            db.session.rollback()
            continue
        closings.append(_close(campaign, now))
        db.session.commit()
    return closings


def _close(campaign: Campaign, now: datetime) -> Closing:
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
    return Closing(campaign.id, outcome.state is CampaignState.SUCCEEDED, len(cancelled), len(refunds))
