"""On PostgreSQL, payments confirmed at the same moment through the webhook and the bank import add up
exactly: no pledge counted twice, the grant committed once, the edition's budget never overspent."""

from __future__ import annotations

import pytest

from portal.domain.pledge import PaidVia, PledgeStatus
from portal.extensions import db
from portal.models import BankTransaction, Campaign, Edition, OutboxMessage, Pledge, ProviderEvent
from tests.accounts import make_user, sign_in
from tests.campaigns import NOVEMBER, make_campaign, pledge
from tests.concurrency import run_together
from tests.payments import confirm_import, deliver, event, statement, upload

pytestmark = pytest.mark.postgres


def test_webhook_and_bank_import_at_once_count_every_pledge_once(app, at):
    at(NOVEMBER)
    barona = make_campaign(app, "Lab Barona")  # 20.000 € → 8.000 € → 12.000 €
    orti = make_campaign(app, "Orti in cortile", goal_cents=1_000_000)  # 10.000 € → 4.000 € → 6.000 €
    amounts = [40_000 + 7 * i for i in range(30)]  # 400,00 €, 400,07 €, …: the sum is checked to the cent
    references = [pledge(app, barona, amount, email=f"p{i}@example.org") for i, amount in enumerate(amounts)]
    orti_amounts = [66_667] * 6
    orti_references = [pledge(app, orti, amount) for amount in orti_amounts]

    # Pledges 0-14 are paid through the provider, each event delivered twice at once;
    # 8-21 by bank transfer, in a statement two staff members import at the same time
    # (8-14 paid both ways); 22-29 stay unpaid.
    by_provider = range(15)
    by_bank = range(8, 22)
    content = statement(
        *(f"16/11/2020;{amounts[i] // 100}.{amounts[i] % 100:02d};{references[i]};TX-{i}" for i in by_bank)
    )
    previews = []
    for email in ("giulia@comune.milano.example", "marco@comune.milano.example"):
        make_user(app, email)
        staff = app.test_client()
        sign_in(staff, app, email)
        preview = upload(staff, content).get_data(as_text=True)
        assert "Conferma 14 pagamenti" in preview
        previews.append((staff, preview))

    calls = [
        lambda i=i: deliver(app.test_client(), app, event(f"evt_{i}", references[i], amounts[i]))
        for i in by_provider
        for _ in range(2)
    ]
    calls += [lambda s=staff, p=preview: confirm_import(s, p) for staff, preview in previews]
    calls += [
        lambda i=i: deliver(app.test_client(), app, event(f"evt_orti_{i}", orti_references[i], orti_amounts[i]))
        for i in range(6)
    ]
    results, errors = run_together(app, calls)
    assert errors == []
    assert sorted({response.status_code for response in results}) == [200]

    paid = set(by_provider) | set(by_bank)
    with app.app_context():
        campaign = db.session.get(Campaign, barona)
        pledges = {p.reference: p for p in db.session.scalars(db.select(Pledge).filter_by(campaign_id=barona))}
        confirmed = [p for p in pledges.values() if p.status is PledgeStatus.CONFIRMED]
        assert {p.reference for p in confirmed} == {references[i] for i in paid}
        assert campaign.confirmed_cents == sum(amounts[i] for i in paid) == sum(p.amount_cents for p in confirmed)
        assert campaign.supporters == len(paid) == 22
        assert campaign.pending_cents == sum(amounts[22:])
        assert campaign.grant_cents == 1_200_000 and campaign.grant_committed_at is not None

        # Every confirmed pledge has the one payment that confirmed it, and that payment is recorded.
        bank = {t.pledge_id: t.transaction_id for t in db.session.scalars(db.select(BankTransaction))}
        for p in confirmed:
            if p.paid_via is PaidVia.BANK:
                assert bank[p.id] == p.payment_id
            else:
                assert p.id not in bank and p.payment_id.startswith("evt_")
        assert len(bank) == sum(1 for p in confirmed if p.paid_via is PaidVia.BANK)
        events = db.session.scalars(db.select(ProviderEvent.event_id)).all()
        assert len(events) == len(set(events)) == 15 + 6

        orti_campaign = db.session.get(Campaign, orti)
        assert orti_campaign.confirmed_cents == sum(orti_amounts) and orti_campaign.supporters == 6
        assert orti_campaign.grant_cents == 600_000

        grant_mails = db.session.scalars(
            db.select(OutboxMessage.subject).where(OutboxMessage.subject.contains("ha raggiunto la soglia"))
        ).all()
        assert len(grant_mails) == 2  # one per campaign, to the team (demo campaigns have no applicant)
        committed = db.session.scalar(db.select(db.func.sum(Campaign.grant_cents)))
        budget = db.session.scalars(db.select(Edition.budget_cents).filter_by(year=2020)).one()
        assert committed == 1_800_000 <= budget
