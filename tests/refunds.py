"""Refunds in tests: a provider that records what it is asked, card-paid pledges, a campaign not funded."""

from __future__ import annotations

import threading
from datetime import datetime

from portal.domain.pledge import PaidVia
from portal.extensions import db
from portal.models import Pledge, Refund
from portal.services.payments.providers.base import ProviderError, RefundResult
from tests.campaigns import NOVEMBER_AT, close, confirm, make_campaign, pledge

PROVIDER = "fake"


class RecordingProvider:
    """Answers `refund` as told, and keeps every call (thread-safe: two runs may share it)."""

    name = PROVIDER

    def __init__(self, *, fail: int = 0, done: bool = True, delay: float = 0.0) -> None:
        self.calls: list[tuple[str, int, str]] = []
        self.fail = fail  # the first `fail` calls raise ProviderError
        self.done = done
        self.delay = delay
        self._lock = threading.Lock()

    def refund(self, payment_id: str, amount_cents: int, idempotency_key: str) -> RefundResult:
        with self._lock:
            self.calls.append((payment_id, amount_cents, idempotency_key))
            failing = len(self.calls) <= self.fail
        if self.delay:
            threading.Event().wait(self.delay)
        if failing:
            raise ProviderError("card_declined: the provider refused")
        return RefundResult(f"re_{idempotency_key}", self.done)

    def named(self, name: str) -> RecordingProvider:
        assert name == PROVIDER
        return self


def card_pledge(app, campaign_id: int, amount_cents: int, email: str, at: datetime = NOVEMBER_AT) -> str:
    """A pledge paid by card through the provider (its payment id and provider stored); its reference."""
    reference = pledge(app, campaign_id, amount_cents, email=email, at=at)
    confirm(app, reference, amount_cents, via=PaidVia.PROVIDER, at=at)
    with app.app_context():
        row = db.session.scalars(db.select(Pledge).filter_by(reference=reference)).one()
        row.provider = PROVIDER
        row.payment_id = f"pi_{reference}"
        db.session.commit()
    return reference


def bank_pledge(app, campaign_id: int, amount_cents: int, email: str) -> str:
    reference = pledge(app, campaign_id, amount_cents, email=email)
    confirm(app, reference, amount_cents, via=PaidVia.BANK)
    return reference


def not_funded(app, cards: int = 1, banks: int = 1, title: str = "Orti in cortile") -> int:
    """A campaign closed below its target with `cards` card payments (25 € + 1 cent each more) and
    `banks` bank transfers (40 € + …); its id."""
    campaign_id = make_campaign(app, title, slug=title.lower().replace(" ", "-"))
    for i in range(cards):
        card_pledge(app, campaign_id, 2_500 + i, f"carta{i}@example.org")
    for i in range(banks):
        bank_pledge(app, campaign_id, 4_000 + i, f"bonifico{i}@example.org")
    close(app)
    return campaign_id


def refunds(app) -> list[Refund]:
    """Every refund as stored, detached, by amount (each pledge of `not_funded` has its own)."""
    with app.app_context():
        rows = list(db.session.scalars(db.select(Refund).order_by(Refund.amount_cents)))
        for row in rows:
            db.session.expunge(row)
        return rows


def pledge_token(app, reference: str) -> str:
    with app.app_context():
        return db.session.scalars(db.select(Pledge.token).filter_by(reference=reference)).one()
