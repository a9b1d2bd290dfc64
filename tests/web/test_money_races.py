"""On PostgreSQL, the money paths racing each other add up to the cent (issue 15, item 5).

Card notifications (repeated, and for many pledges at once), a bank statement import, `flask
expire-checkouts`, the closing of a campaign not funded and `flask refunds`, each in its own thread,
connection and transaction, released together: no payment counted twice or lost, no refund asked
twice, the grant committed once and never above the edition's budget. After every race the same
bookkeeping is checked (`assert_books`): the campaign's confirmed total, supporters and pending total
are the sums of its pledges, its reward stock is what its live pledges hold, each pledge was
confirmed at most once, each refund is one per paid pledge, the grant lies within the reserve and
the edition's committed grants within its budget.

Notifications go through `POST /api/pagamenti/notifiche/demo`, read and verified by the real demo
provider's `read_notification`; the provider's other calls (the checkout, the refund) are answered
by `CardProvider` in the process, which records every refund it is asked for.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from portal.clock import ROME
from portal.domain.checkout import CHECKOUT_LIFETIME
from portal.domain.pledge import PaidVia, PledgeStatus
from portal.domain.webhook import sign
from portal.extensions import db
from portal.models import (
    AuditEntry,
    BankTransaction,
    Campaign,
    CampaignReward,
    Edition,
    OutboxMessage,
    Pledge,
    ProviderEvent,
    Refund,
    RefundRoute,
    RefundStatus,
)
from portal.services.payments import checkout, payments, provider_events, providers, refunds
from portal.services.payments.providers.base import Checkout, RefundResult
from tests.accounts import make_user, sign_in
from tests.campaigns import NOVEMBER, NOVEMBER_AT, STARTS_AT, TEAM, close, confirm, make_campaign, pledge
from tests.concurrency import run_together
from tests.payments import confirm_import, statement, upload

pytestmark = pytest.mark.postgres

NOTIFY = "/api/pagamenti/notifiche/demo"
SECRET = b"test-webhook-secret"  # TestConfig's PAYMENT_WEBHOOK_SECRET: the demo provider signs with it
# What a campaign's confirmed total keeps: paid, whether the money stays or goes back.
PAID = (PledgeStatus.CONFIRMED, PledgeStatus.REFUND_DUE, PledgeStatus.REFUNDED)
# The pledges that hold their reward: all but those cancelled or expired.
HOLDING = (PledgeStatus.PENDING, *PAID)


class CardProvider:
    """The demo provider, in the process: it starts checkouts, reads notifications with the real demo
    client, and answers refunds, keeping every refund it is asked for (thread-safe)."""

    name = "demo"

    def __init__(self, reader, *, delay: float = 0.0) -> None:
        self.reader = reader
        self.delay = delay  # each refund takes a while: concurrent runs overlap
        self.refunds: list[tuple[str, int, str]] = []  # (payment id, amount, idempotency key)
        self._lock = threading.Lock()

    def start_checkout(self, request):
        checkout_id = f"cs_{request.idempotency_key}"
        return Checkout(checkout_id, f"https://pay.example/{checkout_id}", request.expires_at)

    def read_notification(self, body, headers):
        return self.reader.read_notification(body, headers)

    def refund(self, payment_id: str, amount_cents: int, idempotency_key: str) -> RefundResult:
        with self._lock:
            self.refunds.append((payment_id, amount_cents, idempotency_key))
        if self.delay:
            threading.Event().wait(self.delay)
        return RefundResult(f"re_{idempotency_key}", True)


@pytest.fixture
def provider(app, monkeypatch):
    real = providers.provider_named
    with app.app_context():
        card_provider = CardProvider(real("demo"), delay=0.02)
    monkeypatch.setattr(providers, "provider_named", lambda name: card_provider if name == "demo" else real(name))
    return card_provider


@dataclass(frozen=True)
class Card:
    """A pending card pledge whose checkout the provider started."""

    reference: str
    checkout_id: str
    amount_cents: int
    email: str

    @property
    def payment_id(self) -> str:
        return f"pay_{self.reference}"


def card_pledge(
    app, campaign_id: int, amount_cents: int, email: str, *, reward_id: int | None = None, at: datetime = NOVEMBER_AT
) -> Card:
    with app.app_context():
        request = payments.PledgeRequest(amount_cents, email, "Anna Rossi", None, reward_id, "it")
        started = checkout.pledge_by_card(campaign_id, request, at).pledge
        return Card(started.reference, started.checkout_id, amount_cents, email)


def notify(app, card: Card, event_id: str, kind: str = "checkout.paid") -> str:
    """The demo provider's signed notification, posted as its process posts it; the outcome."""
    data = {
        "checkout_id": card.checkout_id,
        "reference": card.reference,
        "amount_cents": card.amount_cents,
        "currency": "EUR",
        "payment_id": card.payment_id,
    }
    body = json.dumps({"id": event_id, "type": kind, "data": data}).encode()
    headers = {"Portal-Signature": sign(SECRET, int(time.time()), body)}
    response = app.test_client().post(NOTIFY, data=body, headers=headers, content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["outcome"]


def after(seconds: float, call):
    """The call, once `seconds` have passed since the threads were released."""

    def later():
        threading.Event().wait(seconds)
        return call()

    return later


def refund_cron(campaign_id: int, now: datetime, *, every: float = 0.01, at_most: float = 10.0) -> tuple:
    """`flask refunds` run again and again, as its cron, until the campaign is closed and no card refund
    is left to ask (or `at_most` seconds): the runs' reports."""
    reports = []
    deadline = time.monotonic() + at_most
    while time.monotonic() < deadline:
        reports.append(refunds.run_provider_refunds(now))
        closed = db.session.scalar(db.select(Campaign.closed_at).filter_by(id=campaign_id)) is not None
        if closed and not refunds.provider_refunds_to_ask(now):
            break
        threading.Event().wait(every)
    return tuple(reports)


def event_outcomes(app) -> dict[str, list[str]]:
    """The outcome of every recorded notification, by the pledge reference it named."""
    found: dict[str, list[str]] = {}
    with app.app_context():
        for reference, outcome in db.session.execute(db.select(ProviderEvent.reference, ProviderEvent.outcome)):
            found.setdefault(reference, []).append(str(outcome))
    return found


def set_budget(app, budget_cents: int) -> None:
    """A hand-made change of the 2020 budget (the database's triggers still check it)."""
    with app.app_context():
        db.session.execute(db.update(Edition).filter_by(year=2020).values(budget_cents=budget_cents))
        db.session.commit()


def assert_books(app, campaign_id: int) -> Campaign:
    """Every figure of the campaign is the sum of its pledges, to the cent; each pledge was confirmed
    (its e-mail queued) at most once; each paid pledge of a closed campaign not funded has exactly one
    refund, and no other pledge has one; the grant, committed at most once, lies within the reserve;
    the edition's committed grants within its budget. The campaign, detached."""
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        pledges = db.session.scalars(db.select(Pledge).filter_by(campaign_id=campaign_id)).all()
        paid = [p for p in pledges if p.status in PAID]
        assert campaign.confirmed_cents == sum(p.amount_cents for p in paid)
        assert campaign.supporters == len(paid)
        assert campaign.pending_cents == sum(p.amount_cents for p in pledges if p.status is PledgeStatus.PENDING)
        for reward in db.session.scalars(db.select(CampaignReward).filter_by(campaign_id=campaign_id)):
            holding = sum(1 for p in pledges if p.reward_id == reward.id and p.status in HOLDING)
            assert reward.claimed == holding and (reward.quantity is None or reward.claimed <= reward.quantity)

        confirmed_mails = Counter(
            db.session.scalars(
                db.select(OutboxMessage.to).where(
                    OutboxMessage.subject == f"Pagamento ricevuto: grazie per il sostegno a «{campaign.title}»"
                )
            )
        )
        assert confirmed_mails == Counter(p.email for p in paid)  # every pledge's own address

        refunds_of = Counter(
            db.session.scalars(
                db.select(Refund.pledge_id)
                .join(Pledge, Pledge.id == Refund.pledge_id)
                .filter_by(campaign_id=campaign_id)
            )
        )
        assert all(count == 1 for count in refunds_of.values())
        if campaign.closed_at is not None and not campaign.grant_committed:
            assert set(refunds_of) == {p.id for p in paid}
            assert all(p.status is not PledgeStatus.CONFIRMED for p in pledges)
        else:
            assert not refunds_of

        grant_mails = db.session.scalar(
            db.select(db.func.count(OutboxMessage.id)).where(
                OutboxMessage.to == TEAM, OutboxMessage.subject.startswith(f"«{campaign.title}» ha raggiunto la soglia")
            )
        )
        if campaign.grant_committed:
            assert 0 < campaign.grant_cents <= campaign.reserved_cents
            assert campaign.confirmed_cents >= campaign.target_cents
            assert grant_mails == 1
        else:
            assert not campaign.grant_cents and grant_mails == 0
        edition = db.session.get(Edition, campaign.edition_id)
        committed = db.session.scalar(
            db.select(db.func.coalesce(db.func.sum(Campaign.grant_cents), 0)).where(
                Campaign.edition_id == edition.id, Campaign.grant_committed_at.is_not(None)
            )
        )
        assert committed <= edition.budget_cents
        db.session.expunge(campaign)
        return campaign


# --- 1. The same notification several times at once, and the others of the campaign -------------------


def test_a_notification_delivered_three_times_at_once_among_others_confirms_once_and_the_grant_once(app, at, provider):
    at(NOVEMBER)
    barona = make_campaign(app, "Lab Barona")  # 20.000 € → the citizens' 8.000 € → the Comune's 12.000 €
    # Seven payments of 1.150 € and some cents: the target (8.000 €) is crossed by whichever commits last.
    amounts = [115_000 + 17 * i for i in range(8)]
    cards = [card_pledge(app, barona, amount, f"carta{i}@example.org") for i, amount in enumerate(amounts)]
    paid, unpaid = cards[:7], cards[7]

    calls = [lambda c=c: notify(app, c, f"evt_{c.reference}") for c in paid for _ in range(3)]
    results, errors = run_together(app, calls)
    assert errors == []
    assert Counter(results) == {"confirmed": 7, "duplicate": 14}

    campaign = assert_books(app, barona)
    assert campaign.confirmed_cents == sum(amounts[:7]) and campaign.supporters == 7
    assert campaign.pending_cents == unpaid.amount_cents
    assert campaign.grant_cents == 1_200_000 and campaign.grant_committed
    with app.app_context():
        rows = {p.reference: p for p in db.session.scalars(db.select(Pledge).filter_by(campaign_id=barona))}
        for card in paid:
            assert (rows[card.reference].status, rows[card.reference].paid_via) == (
                PledgeStatus.CONFIRMED,
                PaidVia.PROVIDER,
            )
            assert rows[card.reference].payment_id == card.payment_id
        assert rows[unpaid.reference].status is PledgeStatus.PENDING
    assert event_outcomes(app) == {card.reference: ["confirmed"] for card in paid}  # repeats: not recorded


# --- 2. Card notifications racing a bank statement import -------------------------------------------


def test_card_notifications_racing_a_bank_import_count_every_payment_once(app, at, provider):
    at(NOVEMBER)
    barona = make_campaign(app, "Lab Barona")
    cards = [card_pledge(app, barona, 70_000 + 3 * i, f"carta{i}@example.org") for i in range(6)]
    bank_amounts = [70_100 + 5 * i for i in range(6)]
    banks = [pledge(app, barona, amount, email=f"bonifico{i}@example.org") for i, amount in enumerate(bank_amounts)]
    # Paid twice: by card, and by a bank transfer with the pledge's reference.
    both = card_pledge(app, barona, 50_000, "entrambi@example.org")
    # Its row first, so the import reaches it while the notifications are still arriving.
    rows = [f"16/11/2020;500.00;{both.reference};TX-BOTH"]
    rows += [f"16/11/2020;{bank_amounts[i] // 100}.{bank_amounts[i] % 100:02d};{r};TX-{i}" for i, r in enumerate(banks)]
    make_user(app, "giulia@comune.milano.example")
    staff = app.test_client()
    sign_in(staff, app, "giulia@comune.milano.example")
    preview = upload(staff, statement(*rows)).get_data(as_text=True)
    assert "Conferma 7 pagamenti" in preview

    calls = [lambda: confirm_import(staff, preview).status_code]
    calls += [lambda c=c: notify(app, c, f"evt_{c.reference}") for c in cards]
    # Its notification, delivered twice, about when the import reaches its row.
    calls += [after(0.04, lambda: notify(app, both, f"evt_{both.reference}")) for _ in range(2)]
    results, errors = run_together(app, calls)
    assert errors == []

    campaign = assert_books(app, barona)
    everything = sum(c.amount_cents for c in cards) + sum(bank_amounts) + both.amount_cents
    assert campaign.confirmed_cents == everything and campaign.supporters == 13 and campaign.pending_cents == 0
    assert campaign.grant_cents == 1_200_000  # 8.710,33 € crossed the 8.000 € target once
    with app.app_context():
        paid = db.session.scalars(db.select(Pledge).filter_by(reference=both.reference)).one()
        imported = dict(db.session.execute(db.select(BankTransaction.transaction_id, BankTransaction.pledge_id)).all())
        audit = db.session.scalars(db.select(AuditEntry).filter_by(action="payments.import")).one()
        by_bank = {p.id for p in db.session.scalars(db.select(Pledge).where(Pledge.reference.in_(banks)))}
    assert set(imported) - {"TX-BOTH"} == {f"TX-{i}" for i in range(6)}
    assert by_bank <= set(imported.values())
    both_events = event_outcomes(app)[both.reference]
    if paid.paid_via is PaidVia.PROVIDER:  # the card first: the bank's row confirmed nothing, for staff
        assert paid.payment_id == both.payment_id and "TX-BOTH" not in imported
        assert both_events == ["confirmed"]
        assert audit.changes["payments_confirmed"][1] == 6 and audit.changes["rows_to_check"][1] == 1
    else:  # the bank first: the card's notification is recorded as not pending, for staff
        assert paid.payment_id == "TX-BOTH" and imported["TX-BOTH"] == paid.id
        assert both_events == ["not_pending"]
        assert audit.changes["payments_confirmed"][1] == 7 and audit.changes["rows_to_check"][1] == 0


# --- 3. A payment racing `flask expire-checkouts` -----------------------------------------------------


@pytest.mark.parametrize("round_", range(3))
def test_a_payment_racing_the_expiry_of_its_checkout_is_counted_once_and_the_reward_released_once(
    app, at, provider, round_
):
    at(NOVEMBER)
    barona = make_campaign(app, "Lab Barona", rewards=(("Tazza", 25_00, 6),))
    with app.app_context():
        mug = db.session.scalars(db.select(CampaignReward.id).filter_by(campaign_id=barona)).one()
    cards = [card_pledge(app, barona, 30_00 + i, f"carta{i}@example.org", reward_id=mug) for i in range(6)]
    cards.append(card_pledge(app, barona, 40_00, "senza-tazza@example.org"))
    # The checkouts expired at 12:35; at 12:40 the grace minute has passed: the cron may release them.
    later = NOVEMBER_AT + CHECKOUT_LIFETIME + timedelta(minutes=5)
    at(later.astimezone(ROME).isoformat())
    paying, expiring = [*cards[:4], cards[6]], cards[4:6]

    # Two cron runs at once, among the payments' notifications spread around them.
    calls = [after(0.02, lambda: checkout.expire_abandoned_checkouts(later)) for _ in range(2)]
    calls += [after(0.01 * i, lambda c=c: notify(app, c, f"evt_paid_{c.reference}")) for i, c in enumerate(paying)]
    calls += [lambda c=c: notify(app, c, f"evt_exp_{c.reference}", "checkout.expired") for c in expiring]
    results, errors = run_together(app, calls)
    assert errors == []

    assert_books(app, barona)  # the mugs: one held by each pledge confirmed, no other
    outcomes = event_outcomes(app)
    with app.app_context():
        status = {p.reference: p.status for p in db.session.scalars(db.select(Pledge).filter_by(campaign_id=barona))}
        expired_by_cron = sum(r for r in results if isinstance(r, int))
        claimed = db.session.scalars(db.select(CampaignReward.claimed).filter_by(id=mug)).one()
    for card in paying:  # confirmed, or expired and its late payment recorded for staff: never both
        assert (status[card.reference], outcomes[card.reference]) in (
            (PledgeStatus.CONFIRMED, ["confirmed"]),
            (PledgeStatus.EXPIRED, ["paid_after_expiry"]),
        )
    for card in expiring:  # released once, by the provider's word or the cron's
        assert status[card.reference] is PledgeStatus.EXPIRED
        assert outcomes[card.reference] in (["expired"], ["ignored"])
    released_by_provider = sum(outcomes[c.reference] == ["expired"] for c in expiring)
    assert expired_by_cron + released_by_provider == sum(s is PledgeStatus.EXPIRED for s in status.values())
    assert claimed == sum(status[c.reference] is PledgeStatus.CONFIRMED for c in cards[:6])


# --- 4. Closing a campaign not funded, racing late payments and `flask refunds` -----------------------


def test_closing_racing_late_payments_and_refund_runs_refunds_each_paid_pledge_once(app, at, provider):
    at(NOVEMBER)
    orti = make_campaign(app, "Orti in cortile", goal_cents=1_000_000)  # target 4.000 €: never reached
    ends_at = STARTS_AT + timedelta(days=60)
    closing_at = ends_at + timedelta(minutes=5)  # the hourly cron, just after the end
    early = [card_pledge(app, orti, 25_000 + i, f"carta{i}@example.org") for i in range(3)]
    for card in early:
        assert notify(app, card, f"evt_{card.reference}") == "confirmed"
    transfers = [pledge(app, orti, 30_000 + i, email=f"bonifico{i}@example.org") for i in range(2)]
    for i, reference in enumerate(transfers):
        confirm(app, reference, 30_000 + i)
    abandoned = card_pledge(app, orti, 15_000, "mai@example.org")  # a November checkout never paid
    unpaid_transfer = pledge(app, orti, 12_000, email="bonifico-mai@example.org")
    # Pledged in the last minutes: their checkouts are still open when the closing runs, and paid then.
    late = [
        card_pledge(app, orti, 20_000 + i, f"tardi{i}@example.org", at=ends_at - timedelta(minutes=10))
        for i in range(4)
    ]

    at(closing_at.isoformat())
    # Two runs of `flask close-campaigns` at once, two `flask refunds` crons running all along, and the
    # late payments' notifications spread around the closing (one takes ~10 ms alone, the closing
    # ~100 ms), each delivered twice.
    calls = [after(0.02, lambda: close(app, closing_at)) for _ in range(2)]
    calls += [lambda: refund_cron(orti, closing_at) for _ in range(2)]
    calls += [
        after(0.015 * i, lambda c=c: notify(app, c, f"evt_{c.reference}")) for i, c in enumerate(late) for _ in "12"
    ]
    results, errors = run_together(app, calls)
    assert errors == []

    campaign = assert_books(app, orti)
    assert campaign.closed_at is not None and not campaign.grant_committed
    assert sum(len(r) for r in results if isinstance(r, list)) == 1  # closed by one run only
    reports = [report for r in results if isinstance(r, tuple) for report in r]
    assert sum(report.done for report in reports) == len(provider.refunds)
    outcomes = event_outcomes(app)
    with app.app_context():
        rows = {p.reference: p for p in db.session.scalars(db.select(Pledge).filter_by(campaign_id=orti))}
        refund_rows = {r.pledge_id: r for r in db.session.scalars(db.select(Refund))}
        attention = {e.reference for e in provider_events.needing_attention()}
        db.session.expunge_all()
    unpaid = (PledgeStatus.CANCELLED, PledgeStatus.EXPIRED)
    confirmed_late = [c for c in late if outcomes[c.reference] == ["confirmed"]]
    # Paid before the closing: refunded through the provider. Paid after it (the checkout was still open):
    # the pledge stays cancelled and the payment waits on the staff's payments page (`needing_attention`),
    # never refunded automatically. Never both.
    for card in late:
        row = rows[card.reference]
        if card in confirmed_late:
            assert row.status is PledgeStatus.REFUNDED and card.reference not in attention
        else:
            assert outcomes[card.reference] == ["paid_after_expiry"]
            assert row.status in unpaid and row.id not in refund_rows and card.reference in attention
    assert rows[abandoned.reference].status in unpaid and rows[unpaid_transfer].status in unpaid

    by_card = [*early, *confirmed_late]
    card_refunds = [refund_rows[rows[c.reference].id] for c in by_card]
    assert {(r.route, r.status) for r in card_refunds} == {(RefundRoute.PROVIDER, RefundStatus.DONE)}
    assert {(refund_rows[rows[r].id].route, refund_rows[rows[r].id].status) for r in transfers} == {
        (RefundRoute.BANK_TRANSFER, RefundStatus.AWAITING_IBAN)
    }
    assert len(refund_rows) == len(by_card) + len(transfers)
    # The provider was asked once per card refund, for the payment it took and its amount.
    assert sorted(provider.refunds) == sorted(
        (c.payment_id, c.amount_cents, f"refund-{refund_rows[rows[c.reference].id].id}") for c in by_card
    )


# --- 5. Two campaigns crossing their thresholds at once, the budget short ------------------------------


@pytest.mark.parametrize(
    ("budget_cents", "grants"),
    [
        # A grant and a half: whichever campaign commits first gets what the budget has beside the other's
        # reserve (6.000 €), the second its whole grant; together exactly the budget.
        (1_800_000, [600_000, 1_200_000]),
        # One grant only: each campaign's reserve is held for the other, so neither grant fits.
        (1_200_000, []),
    ],
)
@pytest.mark.parametrize("round_", range(2))
def test_two_campaigns_crossing_their_thresholds_at_once_never_commit_above_the_budget(
    app, at, provider, budget_cents, grants, round_
):
    at(NOVEMBER)
    barona = make_campaign(app, "Lab Barona")  # reserve 12.000 €
    orti = make_campaign(app, "Orti in cortile")  # the same goal: reserve 12.000 €
    set_budget(app, budget_cents)  # cut by hand below the two reserves: only the guard stands in the way
    amounts = [170_000 + i for i in range(6)]  # 1.700 € and some cents
    cards = {
        campaign_id: [card_pledge(app, campaign_id, a, f"{campaign_id}-{i}@example.org") for i, a in enumerate(amounts)]
        for campaign_id in (barona, orti)
    }
    for campaign_cards in cards.values():  # 6.800 €: a payment more crosses the 8.000 € target
        for card in campaign_cards[:4]:
            assert notify(app, card, f"evt_{card.reference}") == "confirmed"

    # The last two payments of each campaign at once (each delivered twice): both campaigns cross together.
    racing = [card for campaign_cards in cards.values() for card in campaign_cards[4:]]
    results, errors = run_together(app, [lambda c=c: notify(app, c, f"evt_{c.reference}") for c in racing * 2])
    assert errors == [] and Counter(results) == {"confirmed": 4, "duplicate": 4}

    books = [assert_books(app, campaign_id) for campaign_id in (barona, orti)]
    assert all(c.confirmed_cents == sum(amounts) and c.supporters == 6 for c in books)
    assert sorted(c.grant_cents for c in books if c.grant_committed) == grants
    assert sum(grants) <= budget_cents
