"""Paying a pledge by card: the provider's hosted checkout, started, retried, abandoned.

The provider is called before the campaign's row is locked: a slow provider never holds up the
confirmations of a campaign. The pledge's reference and token are drawn first, the checkout is
started with them, then the pledge is stored with its checkout under the lock, in one
transaction. If the provider cannot be reached the pledge is stored all the same, pending
without a checkout: its page offers to try again or to pay by bank transfer.

A pending card pledge whose checkout has expired is abandoned (`portal.domain.checkout`): the
provider's ``expired`` notification or `expire_abandoned_checkouts` (cron, and the closing run)
makes it expired and gives back its reward, exactly once, under the campaign's lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app

from portal.domain import DomainError
from portal.domain.checkout import abandoned_before, checkout_expiry, idempotency_key, is_open
from portal.domain.pledge import PaymentMethod, PledgeStatus
from portal.extensions import db
from portal.models import Campaign, Pledge
from portal.services.campaigns import campaign_mail
from portal.services.campaigns.locking import locked_campaign
from portal.services.payments import payments, providers
from portal.services.payments.providers.base import Checkout, CheckoutRequest, ProviderError
from portal.services.transaction import own_transaction, transactional
from portal.urls import absolute_url


class CheckoutError(StrEnum):
    NOT_PENDING = "not_pending"  # paid, expired or cancelled meanwhile: nothing left to pay
    NOT_OPEN = "not_open"  # the campaign no longer takes pledges
    NO_CARD = "no_card"  # card payments are off (no PAYMENT_PROVIDER)


@dataclass(frozen=True)
class CardStart:
    pledge: Pledge
    checkout_url: str | None  # None: the provider could not start the checkout


def _checkout_request(
    *, reference: str, token: str, amount_cents: int, title: str, email: str, lang: str, expires_at: datetime
) -> CheckoutRequest:
    return CheckoutRequest(
        pledge_reference=reference,
        amount_cents=amount_cents,
        description=title,
        email=email,
        lang=lang,
        success_url=absolute_url("campaigns.pledge_status", lang=lang, token=token),
        cancel_url=absolute_url("campaigns.pledge_not_paid", lang=lang, token=token),
        expires_at=expires_at,
        idempotency_key=idempotency_key(reference, expires_at),
    )


def _start(provider_name: str, request: CheckoutRequest) -> Checkout | None:
    """The provider's checkout; None when it cannot be reached, refuses, or is not set up right."""
    try:
        return providers.provider_named(provider_name).start_checkout(request)
    except ProviderError as error:
        current_app.logger.warning(
            "Card checkout for %s not started at %s: %s", request.pledge_reference, provider_name, error
        )
        return None


def _card_provider_name() -> str:
    name = current_app.config.get("PAYMENT_PROVIDER")
    if not name:
        raise DomainError(CheckoutError.NO_CARD)
    return name


def _keep(pledge: Pledge, provider_name: str, checkout: Checkout | None) -> None:
    pledge.method = PaymentMethod.CARD
    pledge.provider = provider_name
    if checkout is not None:
        pledge.checkout_id = checkout.checkout_id
        pledge.checkout_expires_at = checkout.expires_at


@transactional
def pledge_by_card(campaign_id: int, request: payments.PledgeRequest, now: datetime) -> CardStart:
    """A pending card pledge (its reward claimed, the campaign's pending total raised) with the
    provider's checkout; refused as `payments.create_pledge` refuses (``DomainError`` with a
    `payments.PledgeError`, nothing stored). A checkout started for a pledge then refused is
    never shown to anyone and expires unpaid at the provider."""
    provider = _card_provider_name()
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not campaign.takes_pledges(now):
        raise DomainError(payments.PledgeError.NOT_OPEN)
    reference, token = payments.new_reference_and_token(campaign_id)
    checkout = _start(
        provider,
        _checkout_request(
            reference=reference,
            token=token,
            amount_cents=request.amount_cents,
            title=campaign.title,
            email=request.email.strip().lower(),
            lang=request.lang,
            expires_at=checkout_expiry(now),
        ),
    )
    card_request = payments.PledgeRequest(**{**request.__dict__, "method": PaymentMethod.CARD})
    pledge = payments.create_pledge(campaign_id, card_request, now, reference=reference, token=token)
    _keep(pledge, provider, checkout)
    return CardStart(pledge, checkout.url if checkout else None)


@transactional
def retry_card_payment(pledge_id: int, now: datetime) -> CardStart:
    """Start the card payment of a pending pledge again (the provider failed, the person went back,
    or chose the card after the bank transfer). A checkout still open is the same one again (same
    request, same idempotency key); an expired one is replaced. Refused with ``DomainError`` and a
    `CheckoutError` when the pledge is no longer pending or the campaign has closed."""
    provider = _card_provider_name()
    pledge = db.session.get(Pledge, pledge_id)
    if not pledge.status.awaits_payment:
        raise DomainError(CheckoutError.NOT_PENDING)
    if not pledge.campaign.takes_pledges(now):
        raise DomainError(CheckoutError.NOT_OPEN)
    same_checkout = pledge.provider == provider and is_open(pledge.checkout_expires_at, now)
    expires_at = pledge.checkout_expires_at if same_checkout else checkout_expiry(now)
    checkout = _start(
        provider,
        _checkout_request(
            reference=pledge.reference,
            token=pledge.token,
            amount_cents=pledge.amount_cents,
            title=pledge.campaign.title,
            email=pledge.email,
            lang=pledge.lang,
            expires_at=expires_at,
        ),
    )
    locked_campaign(pledge.campaign_id)
    db.session.refresh(pledge)
    if not pledge.status.awaits_payment:  # paid, or expired by the cron, while the provider answered
        raise DomainError(CheckoutError.NOT_PENDING)
    _keep(pledge, provider, checkout)
    return CardStart(pledge, checkout.url if checkout else None)


@transactional
def pay_by_bank_transfer(pledge_id: int, now: datetime) -> Pledge:
    """A pending card pledge paid by bank transfer instead: never expired for its checkout, and the
    e-mail with the instructions. Refused with ``CheckoutError.NOT_PENDING`` once it is settled."""
    pledge = db.session.get(Pledge, pledge_id)
    campaign = locked_campaign(pledge.campaign_id)
    db.session.refresh(pledge)
    if not pledge.status.awaits_payment:
        raise DomainError(CheckoutError.NOT_PENDING)
    if pledge.method is not PaymentMethod.BANK_TRANSFER:
        pledge.method = PaymentMethod.BANK_TRANSFER
        campaign_mail.queue_pledge_instructions(pledge, campaign, now)
    return pledge


def expire(pledge: Pledge, campaign: Campaign, now: datetime) -> None:
    """The pending pledge becomes expired: its reward and its part of the pending total released.
    The caller holds the campaign's lock and has read the pledge's status under it."""
    pledge.status = PledgeStatus.EXPIRED
    pledge.cancelled_at = now
    if pledge.reward is not None:
        pledge.reward.claimed -= 1
    campaign.pending_cents -= pledge.amount_cents


def expire_abandoned_in(campaign: Campaign, now: datetime) -> int:
    """Expire the campaign's abandoned card checkouts; the caller holds the campaign's lock (the
    closing run, before it closes the campaign). How many."""
    abandoned = db.session.scalars(
        sa.select(Pledge)
        .where(
            Pledge.campaign_id == campaign.id,
            Pledge.status == PledgeStatus.PENDING,
            Pledge.method == PaymentMethod.CARD,
            Pledge.checkout_expires_at < abandoned_before(now),
        )
        .order_by(Pledge.id)
        .execution_options(populate_existing=True)
    ).all()
    for pledge in abandoned:
        expire(pledge, campaign, now)
    return len(abandoned)


def expire_abandoned_checkouts(now: datetime) -> int:
    """`flask expire-checkouts` (cron, every few minutes): every pending card pledge whose checkout
    expired more than a grace minute ago becomes expired, its reward released. How many.

    A batch, one transaction per campaign (as the closing run): each campaign's lock is held only
    while its pledges expire, and the status is read again under it, so a pledge paid or expired
    by a notification at the same moment is left alone."""
    campaign_ids = db.session.scalars(
        sa.select(Pledge.campaign_id)
        .where(
            Pledge.status == PledgeStatus.PENDING,
            Pledge.method == PaymentMethod.CARD,
            Pledge.checkout_expires_at < abandoned_before(now),
        )
        .distinct()
        .order_by(Pledge.campaign_id)
    ).all()
    expired = 0
    for campaign_id in campaign_ids:
        with own_transaction():
            expired += expire_abandoned_in(locked_campaign(campaign_id), now)
    return expired
