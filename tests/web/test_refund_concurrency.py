"""On PostgreSQL, refunds racing each other never send money back twice: two `flask refunds` runs at
once ask the provider once per refund, two staff downloading the SEPA file at once put each refund in
one file, and a provider's notification racing the run marks a refund done once."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.models import OutboxMessage, Refund, RefundStatus, SepaBatch
from portal.services.accounts import accounts
from portal.services.payments import refund_events, refunds, sepa
from portal.services.payments.providers.base import EventKind, Notification
from tests.accounts import make_user
from tests.campaigns import AFTER_THE_END
from tests.concurrency import run_together
from tests.refunds import RecordingProvider, not_funded

pytestmark = pytest.mark.postgres


def test_two_refund_runs_at_once_ask_the_provider_once_per_refund(app):
    not_funded(app, cards=6, banks=0)
    provider = RecordingProvider(delay=0.05)  # each call takes a while: the runs overlap
    calls = [lambda: refunds.run_provider_refunds(AFTER_THE_END, provider.named) for _ in range(3)]
    results, errors = run_together(app, calls)
    assert errors == []
    assert sum(report.done for report in results) == 6
    keys = [call[2] for call in provider.calls]
    assert len(keys) == len(set(keys)) == 6
    with app.app_context():
        assert set(db.session.scalars(db.select(Refund.status))) == {RefundStatus.DONE}
        done_mails = db.session.scalars(
            db.select(OutboxMessage.to).where(OutboxMessage.subject.startswith("Rimborso eseguito"))
        ).all()
        assert sorted(done_mails) == sorted(f"carta{i}@example.org" for i in range(6))


def test_two_sepa_downloads_at_once_put_each_refund_in_one_file(app):
    not_funded(app, cards=0, banks=5)
    with app.app_context():
        for refund in db.session.scalars(db.select(Refund)):
            refund.status, refund.iban, refund.account_holder = RefundStatus.DUE, "IT60X0542811101000000123456", "A B"
        db.session.commit()
    for email in ("giulia@comune.milano.example", "marco@comune.milano.example"):
        make_user(app, email)

    def download(email: str):
        try:
            return sepa.create_batch(accounts.user_by_email(email), AFTER_THE_END).id
        except refunds.DomainError:
            return None

    results, errors = run_together(
        app, [lambda e=e: download(e) for e in ("giulia@comune.milano.example", "marco@comune.milano.example")]
    )
    assert errors == [] and sum(batch_id is not None for batch_id in results) == 1
    with app.app_context():
        batches = db.session.scalars(db.select(SepaBatch)).all()
        assert [(b.count, b.total_cents) for b in batches] == [(5, sum(4_000 + i for i in range(5)))]
        assert {r.sepa_batch_id for r in db.session.scalars(db.select(Refund))} == {batches[0].id}


def test_a_notification_racing_the_run_marks_the_refund_done_once(app):
    not_funded(app, cards=4, banks=0)
    provider = RecordingProvider(delay=0.05)
    with app.app_context():
        payments = {r.id: r.pledge.payment_id for r in db.session.scalars(db.select(Refund).order_by(Refund.id))}

    def notify(refund_id: int, payment_id: str):
        notification = Notification(f"evt_{refund_id}", EventKind.REFUNDED, payment_id=payment_id)
        with refunds.own_transaction():
            return refund_events.record_refund_event(notification, AFTER_THE_END)

    calls = [lambda: refunds.run_provider_refunds(AFTER_THE_END, provider.named)]
    calls += [lambda i=i, p=p: notify(i, p) for i, p in payments.items()]
    results, errors = run_together(app, calls)
    assert errors == []
    with app.app_context():
        assert set(db.session.scalars(db.select(Refund.status))) == {RefundStatus.DONE}
        done_mails = db.session.scalars(
            db.select(OutboxMessage.to).where(OutboxMessage.subject.startswith("Rimborso eseguito"))
        ).all()
        assert len(done_mails) == len(set(done_mails)) == 4
    assert len({call[2] for call in provider.calls}) == len(provider.calls) <= 4
