"""Refunds of a campaign not funded: opened once at closing, card payments back through the provider
exactly once (retried after a failure), bank transfers back by a SEPA file to the IBAN the supporter
gives, the ledger and the open data exact."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import sepaxml
import xmlschema
from lxml import etree

from portal.domain.pledge import PledgeStatus
from portal.extensions import db
from portal.models import AuditEntry, Campaign, Pledge, RefundRoute, RefundStatus, SepaBatch
from portal.services.payments import refund_events, refunds
from portal.services.payments.providers.base import EventKind, Notification
from tests.accounts import csrf_from, make_user, sign_in
from tests.campaigns import AFTER_THE_END, close, mails
from tests.html_validation import vnu_errors
from tests.refunds import RecordingProvider, not_funded, pledge_token
from tests.refunds import refunds as stored_refunds

PAIN_001_XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
STAFF = "giulia@comune.milano.example"
GOOD_IBAN = "IT60 X054 2811 1010 0000 0123 456"
REFUNDS_URL = "/it/gestione/rimborsi"


def run(app, provider: RecordingProvider, at=AFTER_THE_END):
    with app.app_context():
        return refunds.run_provider_refunds(at, provider.named)


def staff_client(app):
    make_user(app, STAFF)
    client = app.test_client()
    sign_in(client, app, STAFF)
    return client


def give_iban(client, token: str, iban: str = GOOD_IBAN, holder: str = "Bruno Bianchi"):
    url = f"/it/sostegno/{token}/rimborso"
    return client.post(
        url,
        data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), "iban": iban, "intestatario": holder},
    )


def test_closing_not_funded_opens_one_refund_per_paid_pledge_once(app):
    campaign_id = not_funded(app)
    card, bank = stored_refunds(app)
    assert (card.route, card.status, card.amount_cents) == (RefundRoute.PROVIDER, RefundStatus.DUE, 2_500)
    assert (bank.route, bank.status, bank.amount_cents) == (
        RefundRoute.BANK_TRANSFER,
        RefundStatus.AWAITING_IBAN,
        4_000,
    )
    [card_mail] = [m for m in mails(app, "carta0@example.org") if "Rimborso" in m[1]]
    assert card_mail[1] == "Rimborso del tuo sostegno a «Orti in cortile»" and "sulla stessa carta" in card_mail[2]
    [bank_mail] = [m for m in mails(app, "bonifico0@example.org") if "Rimborso" in m[1]]
    token = pledge_token(app, db_reference(app, bank.pledge_id))
    assert f"http://127.0.0.1:5000/it/sostegno/{token}/rimborso" in bank_mail[2]

    count = len(mails(app))
    assert close(app) == [] and close(app, AFTER_THE_END + timedelta(days=3)) == []
    assert len(stored_refunds(app)) == 2 and len(mails(app)) == count
    with app.app_context():  # what was paid stays the campaign's confirmed total
        assert db.session.get(Campaign, campaign_id).confirmed_cents == 6_500


def db_reference(app, pledge_id: int) -> str:
    with app.app_context():
        return db.session.get(Pledge, pledge_id).reference


def test_card_refunds_are_asked_once_and_mark_the_pledge_refunded(app):
    not_funded(app, cards=2, banks=0)
    provider = RecordingProvider()
    assert run(app, provider) == refunds.RunReport(done=2)
    assert run(app, provider) == refunds.RunReport()  # the second run asks nothing
    first, second = stored_refunds(app)
    assert sorted(call[2] for call in provider.calls) == sorted([f"refund-{first.id}", f"refund-{second.id}"])
    assert (f"pi_{db_reference(app, first.pledge_id)}", 2_500, f"refund-{first.id}") in provider.calls
    assert (first.status, first.attempts, first.external_id) == (RefundStatus.DONE, 1, f"re_refund-{first.id}")
    with app.app_context():
        assert db.session.get(Pledge, first.pledge_id).status is PledgeStatus.REFUNDED
    assert mails(app, "carta0@example.org")[-1][1] == "Rimborso eseguito: il tuo sostegno a «Orti in cortile»"


def test_a_provider_failure_is_recorded_and_retried_later_with_the_same_key(app):
    not_funded(app, cards=1, banks=0)
    provider = RecordingProvider(fail=1)
    assert run(app, provider) == refunds.RunReport(failed=1)
    [refund] = stored_refunds(app)
    assert (refund.status, refund.attempts) == (RefundStatus.FAILED, 1)
    assert "card_declined" in refund.last_error
    assert refund.next_attempt_at == AFTER_THE_END + timedelta(minutes=15)
    assert run(app, provider, AFTER_THE_END + timedelta(minutes=14)) == refunds.RunReport()  # not yet
    assert run(app, provider, AFTER_THE_END + timedelta(minutes=15)) == refunds.RunReport(done=1)
    assert [call[2] for call in provider.calls] == [f"refund-{refund.id}"] * 2
    [refund] = stored_refunds(app)
    assert (refund.status, refund.attempts, refund.last_error) == (RefundStatus.DONE, 2, None)


def test_a_claim_left_without_its_answer_is_asked_again_with_the_same_key(app):
    not_funded(app, cards=1, banks=0)
    with app.app_context():  # a run stopped between the provider's call and recording its answer
        refund = db.session.scalars(db.select(refunds.Refund)).one()
        refund.status, refund.requested_at, refund.attempts = RefundStatus.REQUESTED, AFTER_THE_END, 1
        refund_id = refund.id
        db.session.commit()
    provider = RecordingProvider()
    assert run(app, provider, AFTER_THE_END + timedelta(minutes=59)) == refunds.RunReport()
    assert run(app, provider, AFTER_THE_END + timedelta(hours=1)) == refunds.RunReport(done=1)
    assert provider.calls == [(provider.calls[0][0], 2_500, f"refund-{refund_id}")]


def test_the_provider_confirms_later_and_a_repeated_notification_changes_nothing(app):
    not_funded(app, cards=1, banks=0)
    provider = RecordingProvider(done=False)
    assert run(app, provider) == refunds.RunReport(accepted=1)
    [refund] = stored_refunds(app)
    assert (refund.status, refund.external_id) == (RefundStatus.REQUESTED, f"re_refund-{refund.id}")
    assert run(app, provider, AFTER_THE_END + timedelta(days=2)) == refunds.RunReport()  # never asked twice
    notification = Notification("evt_1", EventKind.REFUNDED, refund_id=refund.external_id)
    with app.app_context():
        assert refund_events.record_refund_event(notification, AFTER_THE_END) == "refunded"
        db.session.commit()
    count = len(mails(app))
    with app.app_context():
        assert refund_events.record_refund_event(notification, AFTER_THE_END + timedelta(hours=1)) == "ignored"
        failed = Notification("evt_2", EventKind.REFUND_FAILED, refund_id=refund.external_id)
        assert refund_events.record_refund_event(failed, AFTER_THE_END) == "ignored"  # never undoes a refund
        db.session.commit()
    [after] = stored_refunds(app)
    assert (after.status, after.done_at) == (RefundStatus.DONE, AFTER_THE_END) and len(mails(app)) == count
    assert len(provider.calls) == 1


def test_a_notification_before_the_answer_is_recorded_finds_the_refund_by_its_payment(app):
    not_funded(app, cards=1, banks=0)
    [refund] = stored_refunds(app)
    payment = f"pi_{db_reference(app, refund.pledge_id)}"
    with app.app_context():
        failed = Notification("evt_f", EventKind.REFUND_FAILED, payment_id=payment, refund_id="re_x")
        assert refund_events.record_refund_event(failed, AFTER_THE_END) == "refund_failed"
        unknown = Notification("evt_u", EventKind.REFUNDED, payment_id="pi_other", refund_id="re_other")
        assert refund_events.record_refund_event(unknown, AFTER_THE_END) == "unknown_refund"
        db.session.commit()
    [refund] = stored_refunds(app)
    assert refund.status is RefundStatus.FAILED and refund.next_attempt_at == AFTER_THE_END + timedelta(minutes=15)


def test_the_cli_asks_the_provider_once_per_refund(app, monkeypatch):
    from portal.services.payments import providers

    not_funded(app, cards=2, banks=1)
    provider = RecordingProvider()
    monkeypatch.setattr(providers, "provider_named", provider.named)
    app.config["PORTAL_NOW"] = AFTER_THE_END.isoformat()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["refunds"])
    assert first.exit_code == 0 and "2 done" in first.output, first.output
    assert "0 done" in runner.invoke(args=["refunds"]).output
    assert len(provider.calls) == 2


def test_the_supporter_gives_an_iban_once_through_the_secret_link(app):
    not_funded(app, cards=1, banks=1)
    card, bank = stored_refunds(app)
    token = pledge_token(app, db_reference(app, bank.pledge_id))
    client = app.test_client()
    page = client.get(f"/it/sostegno/{token}/rimborso")
    assert page.status_code == 200 and 'name="iban"' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    refused = {
        "": "Scrivi l&#39;IBAN",
        "IT60 X054 2811 1010 0000 0123 457": "non è un IBAN valido",
        "TR33 0006 1005 1978 6457 8413 26": "area SEPA (l&#39;IBAN inizia con TR)",
    }
    for iban, message in refused.items():
        html = give_iban(client, token, iban).get_data(as_text=True)
        assert message in html, iban
    assert "Scrivi il nome e cognome" in give_iban(client, token, holder="  ").get_data(as_text=True)
    assert stored_refunds(app)[1].status is RefundStatus.AWAITING_IBAN  # nothing stored

    response = give_iban(client, token, " it60x0542811101000000123456 ", "  Bruno   Bianchi ")
    assert response.status_code == 303
    stored = stored_refunds(app)[1]
    assert (stored.iban, stored.account_holder, stored.status) == (
        "IT60X0542811101000000123456",
        "Bruno Bianchi",
        RefundStatus.DUE,
    )
    shown = client.get(f"/it/sostegno/{token}/rimborso").get_data(as_text=True)
    assert "IT60 •••• 3456" in shown and 'name="iban"' not in shown
    again = client.post(f"/it/sostegno/{token}/rimborso", data={"iban": "DE89370400440532013000", "intestatario": "X"})
    assert again.status_code in (200, 400) and stored_refunds(app)[1].iban == "IT60X0542811101000000123456"
    # Only a bank transfer's refund has the page; a card's or an unknown link is not found.
    assert (
        client.get(f"/it/sostegno/{pledge_token(app, db_reference(app, card.pledge_id))}/rimborso").status_code == 404
    )
    assert client.get("/it/sostegno/nessuno/rimborso").status_code == 404
    status_page = client.get(f"/it/sostegno/{token}").get_data(as_text=True)
    assert "Rimborso in corso" in status_page


def validate(content: bytes) -> etree._Element:
    xmlschema.XMLSchema(str(PAIN_001_XSD)).validate(content.decode())
    return etree.fromstring(content)


def test_the_sepa_file_holds_each_refund_once_and_validates_against_the_xsd(app):
    not_funded(app, cards=0, banks=3)
    client = app.test_client()
    tokens = [pledge_token(app, db_reference(app, r.pledge_id)) for r in stored_refunds(app)]
    give_iban(client, tokens[0])
    give_iban(client, tokens[1], "DE89 3704 0044 0532 0130 00", "Jürgen Müller")
    staff = staff_client(app)
    page = staff.get(REFUNDS_URL).get_data(as_text=True)
    assert "2 rimborsi con bonifico sono pronti" in page
    response = staff.post(f"{REFUNDS_URL}/sepa", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    download = staff.get(response.headers["Location"])
    assert download.headers["Content-Disposition"].startswith('attachment; filename="CC-RIMBORSI-')
    tree = validate(download.data)
    ends = tree.xpath("//p:CdtTrfTxInf/p:PmtId/p:EndToEndId/text()", namespaces=NS)
    first = stored_refunds(app)
    assert sorted(ends) == sorted([first[0].external_id, first[1].external_id]) and len(ends) == 2
    assert tree.xpath("//p:GrpHdr/p:CtrlSum/text()", namespaces=NS) == ["80.01"]
    assert sorted(tree.xpath("//p:Cdtr/p:Nm/text()", namespaces=NS)) == ["Bruno Bianchi", "Jurgen Muller"]
    assert [r.status for r in first] == [RefundStatus.REQUESTED, RefundStatus.REQUESTED, RefundStatus.AWAITING_IBAN]
    assert staff.get(response.headers["Location"]).data == download.data  # the same message, downloaded again

    again = staff.post(f"{REFUNDS_URL}/sepa", data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "Nessun rimborso con bonifico è da eseguire" in again.get_data(as_text=True)
    give_iban(client, tokens[2])
    second = staff.post(f"{REFUNDS_URL}/sepa", data={"csrf_token": csrf_from(page)})
    tree = validate(staff.get(second.headers["Location"]).data)
    assert tree.xpath("//p:EndToEndId/text()", namespaces=NS) == [stored_refunds(app)[2].external_id]
    with app.app_context():
        batches = db.session.scalars(db.select(SepaBatch).order_by(SepaBatch.id)).all()
        assert [(b.count, b.total_cents) for b in batches] == [(2, 8_001), (1, 4_002)]
        assert len({b.message_id for b in batches}) == 2
        assert (
            db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).filter_by(action="refund.sepa_batch"))
            == 2
        )


def test_marking_a_batch_done_refunds_its_pledges_once_and_the_open_data_tell_it(app, client):
    campaign_id = not_funded(app, cards=1, banks=1)
    provider = RecordingProvider()
    run(app, provider)
    card, bank = stored_refunds(app)
    give_iban(app.test_client(), pledge_token(app, db_reference(app, bank.pledge_id)))
    staff = staff_client(app)
    token = csrf_from(staff.get(REFUNDS_URL).get_data(as_text=True))
    staff.post(f"{REFUNDS_URL}/sepa", data={"csrf_token": token})
    with app.app_context():
        batch_id = db.session.scalars(db.select(SepaBatch.id)).one()
    done = staff.post(f"{REFUNDS_URL}/sepa/{batch_id}/eseguiti", data={"csrf_token": token}, follow_redirects=True)
    assert "1 rimborso segnato come eseguito" in done.get_data(as_text=True)
    assert [r.status for r in stored_refunds(app)] == [RefundStatus.DONE, RefundStatus.DONE]
    assert mails(app, "bonifico0@example.org")[-1][1] == "Rimborso eseguito: il tuo sostegno a «Orti in cortile»"
    count = len(mails(app))
    twice = staff.post(f"{REFUNDS_URL}/sepa/{batch_id}/eseguiti", data={"csrf_token": token}, follow_redirects=True)
    assert "erano già segnati come eseguiti" in twice.get_data(as_text=True) and len(mails(app)) == count

    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        assert (campaign.confirmed_cents, campaign.supporters) == (6_500, 2)
        statuses = set(db.session.scalars(db.select(Pledge.status).filter_by(campaign_id=campaign_id)))
        assert statuses == {PledgeStatus.REFUNDED}
    app.config["PORTAL_NOW"] = (AFTER_THE_END + timedelta(days=1)).isoformat()
    rows = list(csv.DictReader(io.StringIO(client.get("/dati/progetti.csv").get_data(as_text=True), newline="")))
    orti = next(row for row in rows if row["slug"] == "orti-in-cortile")
    assert (orti["raised_eur"], orti["refunded_eur"], orti["state"]) == ("65.00", "65.00", "not_funded")
    pledges = staff.get(f"/it/gestione/campagne/{campaign_id}/sostegni").get_data(as_text=True)
    assert "Rimborsato" in pledges


def test_staff_retry_a_failed_card_refund(app):
    not_funded(app, cards=1, banks=0)
    run(app, RecordingProvider(fail=1))
    with app.app_context():  # the automatic attempts are over
        refund = db.session.scalars(db.select(refunds.Refund)).one()
        refund.next_attempt_at = None
        refund_id = refund.id
        db.session.commit()
    staff = staff_client(app)
    page = staff.get(REFUNDS_URL).get_data(as_text=True)
    assert "card_declined" in page and "Tentativi automatici finiti" in page
    retried = staff.post(f"{REFUNDS_URL}/{refund_id}/riprova", data={"csrf_token": csrf_from(page)})
    assert retried.status_code == 302
    app.config["PORTAL_NOW"] = AFTER_THE_END.isoformat()
    [stored] = stored_refunds(app)
    assert stored.next_attempt_at is not None
    provider = RecordingProvider()
    assert run(app, provider, stored.next_attempt_at) == refunds.RunReport(done=1)
    again = staff.post(
        f"{REFUNDS_URL}/{refund_id}/riprova", data={"csrf_token": csrf_from(page)}, follow_redirects=True
    )
    assert "non è più da ritentare" in again.get_data(as_text=True)


def test_the_refund_pages_are_valid_html(app, tmp_path):
    not_funded(app, cards=2, banks=2)
    run(app, RecordingProvider(fail=1))
    bank = stored_refunds(app)[2]
    token = pledge_token(app, db_reference(app, bank.pledge_id))
    client = app.test_client()
    pages = {
        "iban-form": client.get(f"/it/sostegno/{token}/rimborso").data,
        "iban-errors": give_iban(client, token, "XX00", "").data,
    }
    give_iban(client, token)
    pages["iban-given"] = client.get(f"/en/sostegno/{token}/rimborso").data
    pages["pledge-refund"] = client.get(
        f"/it/sostegno/{pledge_token(app, db_reference(app, stored_refunds(app)[3].pledge_id))}"
    ).data
    staff = staff_client(app)
    page = staff.get(REFUNDS_URL).get_data(as_text=True)
    staff.post(f"{REFUNDS_URL}/sepa", data={"csrf_token": csrf_from(page)})
    pages["staff-refunds"] = staff.get(REFUNDS_URL).data
    pages["staff-refunds-en"] = staff.get("/en/gestione/rimborsi").data
    files = []
    for name, content in pages.items():
        assert re.search(rb"<h1", content), name
        (tmp_path / f"{name}.html").write_bytes(content)
        files.append(str(tmp_path / f"{name}.html"))
    assert vnu_errors(files) == []
