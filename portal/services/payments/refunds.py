"""Refunds: opened when a campaign closes without its grant, then sent back, each exactly once.

One `Refund` row per paid pledge (its unique pledge id: closing twice opens nothing new). A card
payment goes back through the provider that took it (`run_provider_refunds`, the `flask refunds`
command); a bank transfer waits for the supporter's IBAN (`give_iban`), then goes in a SEPA file
(`services.payments.sepa`). A refund done marks its pledge REFUNDED; the campaign's confirmed total
stays what was paid (a campaign not funded still raised it: the open data tell what went back).

Every change to a refund locks its row first, so a run of `flask refunds`, another run at the same
time, staff and the provider's notifications never act on it twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.domain import DomainError
from portal.domain.pledge import PaidVia, PledgeStatus
from portal.domain.refund import (
    claim_is_stale,
    is_due,
    normalise_holder,
    normalise_iban,
    retry_at,
    through_provider,
)
from portal.extensions import db
from portal.models import Pledge, Refund, RefundRoute, RefundStatus, User
from portal.services import audit
from portal.services.payments import refund_mail
from portal.services.payments.payments import LatePaymentError, PaymentOutcome, locked_late_payment
from portal.services.payments.providers.base import PaymentProvider, ProviderError
from portal.services.transaction import own_transaction, transactional

MAX_ERROR_LENGTH = 500  # Refund.last_error


class RefundError(StrEnum):
    UNKNOWN = "unknown"  # no refund behind this link, or not one paid back by bank transfer
    IBAN_ALREADY_GIVEN = "iban_already_given"  # stored once: a change goes through staff
    NOT_FAILED = "not_failed"  # staff retry only a provider refund that failed


# --- Opening: the closing of a campaign not funded ---------------------------------------------
def open_refunds(pledges: Iterable[Pledge], now: datetime) -> list[Refund]:
    """A refund for each paid pledge that has none yet, and its e-mail (the refund under way, or
    the link to give an IBAN). Called by the closing, in its transaction, under the campaign's lock."""
    opened = []
    for pledge in pledges:
        if db.session.scalar(sa.select(Refund.id).filter_by(pledge_id=pledge.id)) is not None:
            continue
        by_provider = through_provider(pledge.paid_via is PaidVia.PROVIDER, pledge.provider, pledge.payment_id)
        refund = Refund(
            pledge=pledge,
            route=RefundRoute.PROVIDER if by_provider else RefundRoute.BANK_TRANSFER,
            status=RefundStatus.DUE if by_provider else RefundStatus.AWAITING_IBAN,
            amount_cents=pledge.amount_cents,
            created_at=now,
            attempts=0,
            next_attempt_at=now if by_provider else None,
        )
        db.session.add(refund)
        db.session.flush()
        refund_mail.queue_refund_opened(refund, now)
        opened.append(refund)
    return opened


def mark_done(refund: Refund, now: datetime) -> None:
    """The money went back: the refund is done, its pledge refunded, the supporter told."""
    refund.status = RefundStatus.DONE
    refund.done_at = now
    refund.next_attempt_at = None
    refund.last_error = None
    pledge = db.session.execute(
        sa.select(Pledge).filter_by(id=refund.pledge_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    if pledge.status.is_paid:  # a late card payment's pledge never counted: it stays expired or cancelled
        pledge.status = PledgeStatus.REFUNDED
    refund_mail.queue_refund_done(refund, now)


def _locked(refund_id: int, *, skip_locked: bool = False) -> Refund | None:
    return db.session.execute(
        sa.select(Refund)
        .filter_by(id=refund_id)
        .with_for_update(skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


# --- Card payments: asking the provider (`flask refunds`) --------------------------------------
@dataclass(frozen=True)
class RunReport:
    done: int = 0  # refunded
    accepted: int = 0  # the provider confirms later by notification
    failed: int = 0  # recorded, asked again later


def _askable(refund: Refund, now: datetime) -> bool:
    """Due or failed and its time has come, or claimed by a run that stopped before the answer."""
    if refund.route is not RefundRoute.PROVIDER:
        return False
    if refund.status in (RefundStatus.DUE, RefundStatus.FAILED):
        return is_due(refund.next_attempt_at, now)
    return (
        refund.status is RefundStatus.REQUESTED
        and refund.external_id is None
        and claim_is_stale(refund.requested_at, now)
    )


def provider_refunds_to_ask(now: datetime) -> list[int]:
    """The card refunds to ask the provider for now, oldest first (the last word is `_askable`,
    under the row's lock)."""
    candidates = db.session.scalars(
        sa.select(Refund)
        .where(
            Refund.route == RefundRoute.PROVIDER,
            Refund.status.in_([RefundStatus.DUE, RefundStatus.FAILED, RefundStatus.REQUESTED]),
        )
        .order_by(Refund.id)
    ).all()
    return [refund.id for refund in candidates if _askable(refund, now)]


@dataclass(frozen=True)
class _Claim:
    refund_id: int
    provider: str
    payment_id: str
    amount_cents: int

    @property
    def idempotency_key(self) -> str:
        """The refund row's id: every attempt for it is the same request to the provider."""
        return f"refund-{self.refund_id}"


def run_provider_refunds(now: datetime, provider_named: Callable[[str], PaymentProvider] | None = None) -> RunReport:
    """Ask the provider for every card refund due, one at a time, and record each answer.

    A batch that calls an external service: each refund is claimed in a transaction of its own
    (its row locked, marked requested, committed) before the call, and its answer is recorded in
    another, so a run at the same time skips it, a crash never leaves it to be asked by two runs,
    and one provider failure does not undo the refunds before it.
    """
    if provider_named is None:
        from portal.services.payments.providers import provider_named
    done = accepted = failed = 0
    for refund_id in provider_refunds_to_ask(now):
        with own_transaction():
            claim = _claim(refund_id, now)
        if claim is None:
            continue
        try:
            result = provider_named(claim.provider).refund(claim.payment_id, claim.amount_cents, claim.idempotency_key)
        except (ProviderError, LookupError) as error:
            with own_transaction():
                _record_failure(refund_id, str(error) or type(error).__name__, now)
            failed += 1
            continue
        with own_transaction():
            _record_answer(refund_id, result.refund_id, result.done, now)
        done, accepted = done + result.done, accepted + (not result.done)
    return RunReport(done, accepted, failed)


def _claim(refund_id: int, now: datetime) -> _Claim | None:
    refund = _locked(refund_id, skip_locked=True)  # another run holds it: that run asks
    if refund is None or not _askable(refund, now):
        return None
    refund.status = RefundStatus.REQUESTED
    refund.attempts += 1
    refund.requested_at = now
    refund.next_attempt_at = None
    pledge = refund.pledge
    return _Claim(refund.id, pledge.provider or "", pledge.payment_id or "", refund.amount_cents)


def _record_answer(refund_id: int, external_id: str, done: bool, now: datetime) -> None:
    refund = _locked(refund_id)
    if refund.external_id is None:
        refund.external_id = external_id
    if refund.status is not RefundStatus.REQUESTED:  # the notification came first
        return
    refund.last_error = None
    if done:
        mark_done(refund, now)


def _record_failure(refund_id: int, error: str, now: datetime) -> None:
    refund = _locked(refund_id)
    if refund.status is not RefundStatus.REQUESTED:
        return
    refund.status = RefundStatus.FAILED
    refund.last_error = error[:MAX_ERROR_LENGTH]
    refund.next_attempt_at = retry_at(refund.attempts, now)


# --- The provider's notifications (services/payments/refund_events.py) -------------------------
def _refund_for(refund_id: str | None, payment_id: str | None) -> Refund | None:
    """The refund a notification names: by the provider's refund id, else by the payment refunded."""
    found = None
    if refund_id:
        found = db.session.scalar(sa.select(Refund.id).filter_by(external_id=refund_id))
    if found is None and payment_id:
        found = db.session.scalar(
            sa.select(Refund.id)
            .join(Pledge, Pledge.id == Refund.pledge_id)
            .where(Pledge.payment_id == payment_id, Refund.route == RefundRoute.PROVIDER)
        )
    return _locked(found) if found is not None else None


def refund_confirmed(refund_id: str | None, payment_id: str | None, now: datetime) -> PaymentOutcome:
    """The provider says a refund went through: ``REFUNDED``, or ``IGNORED`` for a refund already
    done (nothing changes). Joins the caller's transaction (the event's)."""
    refund = _refund_for(refund_id, payment_id)
    if refund is None:
        return PaymentOutcome.UNKNOWN_REFUND
    if refund.status is RefundStatus.DONE:
        return PaymentOutcome.IGNORED
    if refund.external_id is None and refund_id:
        refund.external_id = refund_id
    mark_done(refund, now)
    return PaymentOutcome.REFUNDED


def refund_failed(refund_id: str | None, payment_id: str | None, now: datetime) -> PaymentOutcome:
    """The provider says a refund failed: recorded, and asked again after the pause of the rule."""
    refund = _refund_for(refund_id, payment_id)
    if refund is None:
        return PaymentOutcome.UNKNOWN_REFUND
    if refund.status is RefundStatus.DONE:
        return PaymentOutcome.IGNORED
    refund.status = RefundStatus.FAILED
    refund.last_error = "refund_failed (notification)"
    refund.next_attempt_at = retry_at(max(refund.attempts, 1), now)
    return PaymentOutcome.REFUND_FAILED


# --- Staff --------------------------------------------------------------------------------------
@transactional
def retry_now(refund_id: int, actor: User, now: datetime) -> Refund:
    """Staff ask a failed card refund again: the next run of `flask refunds` takes it."""
    refund = _locked(refund_id)
    if refund is None or refund.route is not RefundRoute.PROVIDER or refund.status is not RefundStatus.FAILED:
        raise DomainError(RefundError.NOT_FAILED)
    refund.next_attempt_at = now
    audit.record(
        actor,
        "refund.retry",
        "refund",
        refund.id,
        now,
        label=refund.pledge.reference,
        changes={"attempts": [refund.attempts, refund.attempts], "last_error": [refund.last_error, None]},
    )
    return refund


@transactional
def refund_late_payment(event_id: int, actor: User, now: datetime) -> Refund:
    """Staff give back a card payment that arrived after its pledge expired or was cancelled: a
    refund through the provider that took it, due now, of the amount the provider notified, for the
    payment it named; `run_provider_refunds` (`flask refunds`) asks for it, once (one refund per
    pledge). The pledge keeps its status: it never counted, so no total changes. Refused with
    ``DomainError`` and a `LatePaymentError` (``SETTLED``: confirmed or refunded already)."""
    event, pledge = locked_late_payment(event_id)
    if db.session.scalar(sa.select(Refund.id).filter_by(pledge_id=pledge.id)) is not None:
        raise DomainError(LatePaymentError.SETTLED)
    if not pledge.payment_id or not pledge.provider:
        raise DomainError(LatePaymentError.NO_PAYMENT_ID)
    refund = Refund(
        pledge=pledge,
        route=RefundRoute.PROVIDER,
        status=RefundStatus.DUE,
        amount_cents=event.amount_cents,
        created_at=now,
        attempts=0,
        next_attempt_at=now,
    )
    db.session.add(refund)
    db.session.flush()
    event.outcome = PaymentOutcome.LATE_REFUNDED
    audit.record(
        actor,
        "refund.late_payment",
        "refund",
        refund.id,
        now,
        label=pledge.reference,
        changes={"amount_cents": [None, refund.amount_cents], "event": [event.event_id, event.event_id]},
    )
    return refund


def refunds_by_status() -> dict[RefundStatus, list[Refund]]:
    """Every refund for the staff's page, by status (what needs action first), oldest first."""
    refunds = db.session.scalars(
        sa.select(Refund)
        .options(selectinload(Refund.pledge).selectinload(Pledge.campaign))
        .order_by(Refund.created_at, Refund.id)
    ).all()
    order = (
        RefundStatus.FAILED,
        RefundStatus.DUE,
        RefundStatus.AWAITING_IBAN,
        RefundStatus.REQUESTED,
        RefundStatus.DONE,
    )
    return {status: [r for r in refunds if r.status is status] for status in order}


# --- The supporter's secret link: the IBAN of a bank transfer's refund ------------------------
def refund_behind_link(token: str) -> Refund | None:
    """The bank-transfer refund of the pledge whose secret link this is, if any."""
    return db.session.scalar(
        sa.select(Refund)
        .join(Pledge, Pledge.id == Refund.pledge_id)
        .where(Pledge.token == token[:64], Refund.route == RefundRoute.BANK_TRANSFER)
        .options(selectinload(Refund.pledge).selectinload(Pledge.campaign))
    )


@transactional
def give_iban(token: str, iban: str, holder: str, now: datetime) -> Refund:
    """Store the account to pay back, once: the refund is then due in the next SEPA file.

    Refused with ``DomainError``: an `IbanError` (`portal.domain.refund`) for an IBAN or a holder
    that is not right, ``RefundError.UNKNOWN`` without such a refund, ``IBAN_ALREADY_GIVEN``."""
    clean_iban, clean_holder = normalise_iban(iban), normalise_holder(holder)
    found = refund_behind_link(token)
    refund = _locked(found.id) if found is not None else None
    if refund is None:
        raise DomainError(RefundError.UNKNOWN)
    if not refund.status.awaits_iban:
        raise DomainError(RefundError.IBAN_ALREADY_GIVEN)
    refund.iban = clean_iban
    refund.account_holder = clean_holder
    refund.iban_given_at = now
    refund.status = RefundStatus.DUE
    return refund
