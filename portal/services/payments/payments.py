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
from portal.domain.following import Source
from portal.domain.newsletter import Source as NewsletterSource
from portal.domain.payment_reference import TOKEN_BYTES, new_reference
from portal.domain.pledge import PaidVia, PaymentMethod, PledgeStatus
from portal.extensions import db
from portal.models import Campaign, CampaignReward, Edition, Pledge, ProviderEvent, User
from portal.models.campaign import new_pledge_token
from portal.services import audit
from portal.services.campaigns import campaign_mail, following
from portal.services.campaigns.locking import locked_campaign
from portal.services.cofunding.match_funding import commit_grant_if_due
from portal.services.newsletter import subscriptions
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
    EXPIRED = "expired"  # provider: the checkout expired unpaid, the pledge with it
    IGNORED = "ignored"  # provider: nothing to act on (an old checkout of the pledge, a pledge already settled)
    PAID_AFTER_EXPIRY = "paid_after_expiry"  # provider: paid, but the pledge had expired or was cancelled
    REFUNDED = "refunded"  # provider: a refund went through
    REFUND_FAILED = "refund_failed"  # provider: a refund failed
    UNKNOWN_REFUND = "unknown_refund"  # provider: a refund the portal has no record of
    # A PAID_AFTER_EXPIRY settled by staff (`confirm_late_payment`, `refunds.refund_late_payment`).
    LATE_CONFIRMED = "late_confirmed"  # staff confirmed the pledge by hand: the money stays
    LATE_REFUNDED = "late_refunded"  # staff opened its refund: `flask refunds` gives the money back


class LatePaymentError(StrEnum):
    """Why a card payment that arrived after its pledge expired or was cancelled cannot be settled so."""

    SETTLED = "settled"  # not such a payment, or staff settled it already (confirmed or refunded)
    NO_PAYMENT_ID = "no_payment_id"  # the provider's id of the payment is not known: refund it at the provider
    NOT_OPEN = "not_open"  # the campaign takes no pledges any more: only a refund
    AMOUNT_MISMATCH = "amount_mismatch"  # paid another amount than the pledge's: only a refund
    REWARD_GONE = "reward_gone"  # the pledge's reward went to others meanwhile: only a refund


@dataclass(frozen=True)
class PledgeRequest:
    amount_cents: int
    email: str
    name: str | None  # None: anonymous
    message: str | None
    reward_id: int | None
    lang: str
    method: PaymentMethod = PaymentMethod.BANK_TRANSFER
    codice_fiscale: str | None = None  # validated by the form, for the receipt
    follow: bool = False  # also follow the campaign's news (double opt-in: a confirmation e-mail)
    newsletter: bool = False  # also ask for the programme's newsletter (its own double opt-in)


@transactional
def create_pledge(
    campaign_id: int, request: PledgeRequest, now: datetime, *, reference: str | None = None, token: str | None = None
) -> Pledge:
    """A pending pledge with a unique payment reference; for a bank transfer, the e-mail with the
    instructions (a card payment's supporter hears from the portal once the provider confirms it).
    `reference` and `token`, when given, were drawn before (`new_reference_and_token`): a card
    checkout is started with them before the pledge is stored.

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
        reference=reference or _unused_reference(edition_year),
        token=token or new_pledge_token(),
        name=request.name or None,
        email=request.email.strip().lower(),
        message=request.message or None,
        lang=request.lang,
        method=request.method,
        codice_fiscale=request.codice_fiscale or None,
        status=PledgeStatus.PENDING,
        consent_at=now,
        created_at=now,
    )
    db.session.add(pledge)
    campaign.pending_cents += request.amount_cents
    db.session.flush()
    if request.method is PaymentMethod.BANK_TRANSFER:
        campaign_mail.queue_pledge_instructions(pledge, campaign, now)
    if request.follow:
        following.follow(campaign.id, request.email, request.lang, now, source=Source.PLEDGE)
    if request.newsletter:
        subscriptions.subscribe(request.email, request.lang, NewsletterSource.PLEDGE, now)
    return pledge


def new_reference_and_token(campaign_id: int) -> tuple[str, str]:
    """A pledge's reference and token drawn before it is stored (the unique constraints are the last word)."""
    edition_year = db.session.scalar(
        sa.select(Edition.year).join(Campaign, Campaign.edition_id == Edition.id).where(Campaign.id == campaign_id)
    )
    return _unused_reference(edition_year), new_pledge_token()


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


# --- A card payment that arrived after its pledge expired or was cancelled -----------------------
# The provider took the money, the pledge counts nothing (`PaymentOutcome.PAID_AFTER_EXPIRY`): staff
# either confirm the pledge by hand while the campaign still takes pledges, or refund the payment
# (`refunds.refund_late_payment`). Either one settles the event, once.
@dataclass(frozen=True)
class LatePayment:
    event: ProviderEvent
    pledge: Pledge
    can_confirm: bool  # the campaign still takes pledges and the amount is the pledge's


def _late_pledge(event: ProviderEvent | None) -> Pledge | None:
    if event is None or event.outcome != PaymentOutcome.PAID_AFTER_EXPIRY or not event.reference:
        return None
    pledge = db.session.scalar(sa.select(Pledge).filter_by(reference=event.reference))
    if pledge is None or pledge.status not in (PledgeStatus.EXPIRED, PledgeStatus.CANCELLED):
        return None
    return pledge


def late_payments(now: datetime) -> list[LatePayment]:
    """The card payments staff still have to confirm by hand or refund, oldest first."""
    events = db.session.scalars(
        sa.select(ProviderEvent)
        .where(ProviderEvent.outcome == PaymentOutcome.PAID_AFTER_EXPIRY)
        .order_by(ProviderEvent.received_at, ProviderEvent.id)
    ).all()
    found = []
    for event in events:
        pledge = _late_pledge(event)
        if pledge is not None:
            can_confirm = pledge.campaign.takes_pledges(now) and event.amount_cents == pledge.amount_cents
            found.append(LatePayment(event, pledge, can_confirm))
    return found


def locked_late_payment(event_id: int) -> tuple[ProviderEvent, Pledge]:
    """The event and its pledge, the campaign's row and then the event's locked (a notification,
    the closing and another member of staff wait); ``DomainError(LatePaymentError.SETTLED)`` when
    it is not a late payment still to settle."""
    reference = db.session.scalar(sa.select(ProviderEvent.reference).filter_by(id=event_id))
    campaign_id = db.session.scalar(sa.select(Pledge.campaign_id).filter_by(reference=reference)) if reference else None
    if campaign_id is None:
        raise DomainError(LatePaymentError.SETTLED)
    locked_campaign(campaign_id)
    event = db.session.execute(
        sa.select(ProviderEvent).filter_by(id=event_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    pledge = _late_pledge(event)
    if pledge is None:
        raise DomainError(LatePaymentError.SETTLED)
    db.session.refresh(pledge)
    return event, pledge


@transactional
def confirm_late_payment(event_id: int, actor: User, now: datetime) -> Confirmation:
    """Staff count a late card payment after all: the pledge is pending again (its reward and its
    part of the pending total claimed back) and confirmed as the provider's notification would have,
    grant and e-mail included. Refused with ``DomainError`` and a `LatePaymentError`."""
    event, pledge = locked_late_payment(event_id)
    campaign = pledge.campaign
    if not campaign.takes_pledges(now):
        raise DomainError(LatePaymentError.NOT_OPEN)
    if event.amount_cents != pledge.amount_cents:
        raise DomainError(LatePaymentError.AMOUNT_MISMATCH)
    if not pledge.payment_id:
        raise DomainError(LatePaymentError.NO_PAYMENT_ID)
    if pledge.reward is not None:
        if pledge.reward.left == 0:
            raise DomainError(LatePaymentError.REWARD_GONE)
        pledge.reward.claimed += 1
    before = pledge.status
    pledge.status = PledgeStatus.PENDING
    pledge.cancelled_at = None
    campaign.pending_cents += pledge.amount_cents
    confirmation = confirm_payment(pledge.reference, pledge.amount_cents, PaidVia.PROVIDER, pledge.payment_id, now)
    event.outcome = PaymentOutcome.LATE_CONFIRMED
    audit.record(
        actor,
        "payment.late_confirm",
        "pledge",
        pledge.id,
        now,
        label=pledge.reference,
        changes={"status": [before.value, pledge.status.value], "event": [event.event_id, event.event_id]},
    )
    return confirmation
