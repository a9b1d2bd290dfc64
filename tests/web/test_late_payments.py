"""A card payment that arrives after its pledge expired or was cancelled: the provider took money
that counts for nothing. Staff give it back ("Rimborsa": one provider refund, carried out once by
`flask refunds`) or, while the campaign takes pledges, confirm the pledge by hand."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from portal.domain.pledge import PaymentMethod, PledgeStatus
from portal.extensions import db
from portal.models import AuditEntry, Campaign, Pledge, ProviderEvent, Refund, RefundRoute, RefundStatus
from portal.services.payments import checkout, provider_events
from portal.services.payments.providers.base import EventKind, Notification
from tests.accounts import csrf_from, make_user, sign_in
from tests.campaigns import AFTER_THE_END, NOVEMBER, NOVEMBER_AT, close, mails, make_campaign, pledge
from tests.refunds import PROVIDER, RecordingProvider

STAFF = "giulia@comune.milano.example"
REFUNDS_URL = "/it/gestione/rimborsi"
PAID_AT = NOVEMBER_AT + timedelta(hours=3)


def paid_too_late(app, *, amount_cents: int = 25_00, paid_cents: int | None = None) -> tuple[int, str]:
    """A card pledge whose checkout expired, then the provider's word that it was paid; (campaign id, reference)."""
    campaign_id = make_campaign(app)
    reference = pledge(app, campaign_id, amount_cents, email="tardi@example.org")
    with app.app_context():
        row = db.session.scalars(db.select(Pledge).filter_by(reference=reference)).one()
        row.method, row.provider = PaymentMethod.CARD, PROVIDER
        row.checkout_id, row.checkout_expires_at = "cs_late", NOVEMBER_AT + timedelta(minutes=30)
        db.session.commit()
        assert checkout.expire_abandoned_checkouts(NOVEMBER_AT + timedelta(hours=2)) == 1
        paid = Notification(
            "evt_late", EventKind.PAID, "cs_late", reference, paid_cents or amount_cents, payment_id="pi_late"
        )
        assert provider_events.record_notification(PROVIDER, paid, PAID_AT) == "paid_after_expiry"
    return campaign_id, reference


def staff_client(app, at):
    at(NOVEMBER)
    make_user(app, STAFF)
    client = app.test_client()
    sign_in(client, app, STAFF)
    return client


def event_id(app) -> int:
    with app.app_context():
        return db.session.scalars(db.select(ProviderEvent.id).filter_by(event_id="evt_late")).one()


def press(client, action: str, ident: int) -> str:
    """Press "Rimborsa" or "Conferma il sostegno"; the page it leads back to, as text."""
    page = client.get(REFUNDS_URL).get_data(as_text=True)
    answer = client.post(
        f"{REFUNDS_URL}/pagamenti-tardivi/{ident}/{action}", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    )
    return unescape(answer.get_data(as_text=True))


def test_staff_refund_a_late_card_payment_once_through_the_provider(app, at, monkeypatch):
    from portal.services.payments import providers

    campaign_id, reference = paid_too_late(app, amount_cents=25_00)
    staff = staff_client(app, at)
    page = staff.get(REFUNDS_URL).get_data(as_text=True)
    assert "Pagamenti con carta arrivati dopo la scadenza" in page and reference in page
    assert "Rimborsa" in page and "Conferma il sostegno" in page  # the campaign still takes pledges

    done = press(staff, "rimborsa", event_id(app))
    assert f"Rimborso di {reference} aperto" in done
    with app.app_context():
        refund = db.session.scalars(db.select(Refund)).one()
        assert (refund.route, refund.status, refund.amount_cents) == (RefundRoute.PROVIDER, RefundStatus.DUE, 25_00)
        assert refund.pledge.payment_id == "pi_late" and refund.pledge.status is PledgeStatus.EXPIRED
        audit = db.session.scalars(db.select(AuditEntry).filter_by(action="refund.late_payment")).one()
        assert audit.subject_label == reference
        assert provider_events.needing_attention() == []  # settled: off the staff's list
    # Pressed again (another tab, another member of staff): nothing new.
    again = press(staff, "rimborsa", event_id(app))
    assert "era già stato confermato o rimborsato" in again
    assert "Conferma il sostegno" not in again

    # `flask refunds` gives the money back once, and the campaign's totals never move.
    provider = RecordingProvider()
    monkeypatch.setattr(providers, "provider_named", provider.named)
    runner = app.test_cli_runner()
    assert "1 done" in runner.invoke(args=["refunds"]).output
    assert "0 done" in runner.invoke(args=["refunds"]).output
    assert provider.calls == [("pi_late", 25_00, f"refund-{refund.id}")]
    with app.app_context():
        refund = db.session.scalars(db.select(Refund)).one()
        assert refund.status is RefundStatus.DONE and refund.pledge.status is PledgeStatus.EXPIRED
        campaign = db.session.get(Campaign, campaign_id)
        assert (campaign.pending_cents, campaign.confirmed_cents, campaign.supporters) == (0, 0, 0)
    (body,) = [b for to, _, b in mails(app, "tardi@example.org") if "restituito" in b]
    assert "è arrivato quando il sostegno era già scaduto o annullato" in body


def test_staff_confirm_a_late_card_payment_while_the_campaign_takes_pledges(app, at):
    campaign_id, reference = paid_too_late(app, amount_cents=30_00)
    staff = staff_client(app, at)
    done = press(staff, "conferma", event_id(app))
    assert f"Sostegno {reference} confermato" in done
    with app.app_context():
        row = db.session.scalars(db.select(Pledge).filter_by(reference=reference)).one()
        assert (row.status, row.payment_id, row.cancelled_at) == (PledgeStatus.CONFIRMED, "pi_late", None)
        campaign = db.session.get(Campaign, campaign_id)
        assert (campaign.pending_cents, campaign.confirmed_cents, campaign.supporters) == (0, 30_00, 1)
        assert db.session.scalars(db.select(Refund)).all() == []
        assert db.session.scalars(db.select(AuditEntry).filter_by(action="payment.late_confirm")).one()
        assert provider_events.needing_attention() == []
    # Settled: neither a refund nor a second confirmation.
    assert "era già stato confermato o rimborsato" in press(staff, "rimborsa", event_id(app))
    assert "era già stato confermato o rimborsato" in press(staff, "conferma", event_id(app))
    with app.app_context():
        assert db.session.get(Campaign, campaign_id).confirmed_cents == 30_00


def test_once_the_campaign_is_over_a_late_payment_can_only_be_refunded(app, at):
    paid_too_late(app)
    close(app)
    staff = staff_client(app, at)
    at(AFTER_THE_END.isoformat())
    page = staff.get(REFUNDS_URL).get_data(as_text=True)
    assert "Rimborsa" in page and "Conferma il sostegno" not in page
    refused = press(staff, "conferma", event_id(app))
    assert "La campagna non accetta più sostegni" in refused
    assert "Rimborso di" in press(staff, "rimborsa", event_id(app))


def test_another_amount_than_the_pledges_is_only_refunded_and_of_what_was_paid(app, at):
    paid_too_late(app, amount_cents=25_00, paid_cents=20_00)
    staff = staff_client(app, at)
    assert "Conferma il sostegno" not in staff.get(REFUNDS_URL).get_data(as_text=True)
    assert "L'importo pagato è diverso" in press(staff, "conferma", event_id(app))
    press(staff, "rimborsa", event_id(app))
    with app.app_context():
        assert db.session.scalars(db.select(Refund.amount_cents)).one() == 20_00
