"""The Comune's grant paid in instalments (issue 19, item 3): the edition's plan, the instalments
written once a campaign has succeeded, staff recording each one as paid (once, only when due, never
past what is committed, audited), and the co-funding ledger and tracker showing committed and paid,
the SQL sums equal to the record-by-record reading."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from portal.clock import ROME
from portal.domain import DomainError
from portal.domain.aftercare import AftercareError, InstalmentCondition, ReportStatus
from portal.extensions import db
from portal.models import AuditEntry, BudgetItem, Campaign, Edition, GrantInstalment, Role, SpendingReport
from portal.services.accounts import accounts
from portal.services.aftercare import instalments
from portal.services.cofunding import ledger
from tests.accounts import csrf_from, make_user, sign_in
from tests.campaigns import AFTER_THE_END, close, confirm, make_campaign, pledge
from tests.concurrency import run_together
from tests.panel import STAFF, submitted

AFTER = "2021-01-15T10:00:00+01:00"  # the 2020 campaigns are over
AFTER_AT = datetime(2021, 1, 15, 10, 0, tzinfo=ROME)
EDITION_FORM = "/it/gestione/edizioni/2021"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)).replace("\u00a0", " "))


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), **data})


@pytest.fixture
def staff(app):
    make_user(app, STAFF, Role.STAFF)
    client = app.test_client()
    sign_in(client, app, STAFF)
    return client


def set_plan(app, plan: list[dict]) -> None:
    with app.app_context():
        edition = db.session.execute(sa.select(Edition).filter_by(year=2020)).scalar_one()
        edition.instalment_plan = plan
        db.session.commit()


def funded(app, *, goal_cents: int = 2_000_000, title: str = "Lab Barona") -> int:
    """A campaign that reached its target in November (the grant committed) and was closed."""
    campaign_id = make_campaign(app, title, goal_cents=goal_cents)
    with app.app_context():
        target = db.session.get(Campaign, campaign_id).target_cents
    confirm(app, pledge(app, campaign_id, target), target)
    close(app)
    return campaign_id


def rows(app, campaign_id: int) -> list[GrantInstalment]:
    with app.app_context():
        found = db.session.scalars(
            sa.select(GrantInstalment).filter_by(campaign_id=campaign_id).order_by(GrantInstalment.position)
        ).all()
        db.session.expunge_all()
        return list(found)


def grant_of(app, campaign_id: int) -> int:
    with app.app_context():
        return db.session.get(Campaign, campaign_id).grant_cents


def approve_final_report(app, campaign_id: int) -> None:
    """A final spending report staff approved (written as the reports' service leaves it)."""
    application_id = submitted(app, 1)[0]
    with app.app_context():
        line = db.session.scalars(sa.select(BudgetItem).filter_by(application_id=application_id)).first()
        db.session.add(
            SpendingReport(
                campaign_id=campaign_id,
                budget_item_id=line.id,
                amount_cents=100_000,
                description="Attrezzi",
                spent_on=AFTER_AT.date(),
                is_final=True,
                receipt_filename="fattura.pdf",
                receipt_key="k" * 32,
                receipt_size=1000,
                receipt_sha256="0" * 64,
                status=ReportStatus.APPROVED,
                submitted_at=AFTER_AT,
                reviewed_at=AFTER_AT,
            )
        )
        db.session.commit()


def pay(client, campaign_id: int, instalment_id: int, reference: str = "MAND-2021-0042"):
    url = f"/it/gestione/campagne/{campaign_id}/rate"
    return client.post(
        f"{url}/{instalment_id}/pagata",
        data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), "riferimento": reference},
    )


# --- the edition's plan ------------------------------------------------------------------------


def test_the_plan_must_add_up_to_100_and_each_row_be_complete(app, staff, data):
    post(staff, "/it/gestione/edizioni", {"anno": "2021"})
    page = text_of(staff.get(EDITION_FORM))
    assert "Con tutte le righe vuote vale il piano predefinito: 50% all'avvio" in page
    not_100 = text_of(
        post(
            staff,
            EDITION_FORM,
            {
                "rate-0-percentuale": "60",
                "rate-0-condizione": "start",
                "rate-1-percentuale": "30",
                "rate-1-condizione": "final_report",
            },
        )
    )
    assert "Le percentuali delle rate devono sommare 100: ora sommano 90." in not_100
    assert 'href="#rate-0-percentuale"' in not_100  # the error summary leads to the first row
    half = text_of(post(staff, EDITION_FORM, {"rate-0-percentuale": "100"}))
    assert "Completa la rata: percentuale e quando si paga" in half
    assert 'id="rate-0-condizione-error"' in half
    zero = text_of(post(staff, EDITION_FORM, {"rate-0-percentuale": "0", "rate-0-condizione": "start"}))
    assert "Scrivi un numero intero da 1 a 100" in zero
    with app.app_context():
        assert db.session.execute(sa.select(Edition).filter_by(year=2021)).scalar_one().instalment_plan == []


def test_staff_set_the_plan_and_the_days_for_the_final_report_audited(app, staff, data):
    post(staff, "/it/gestione/edizioni", {"anno": "2021"})
    form = {
        "rate-0-percentuale": "30",
        "rate-0-condizione": "start",
        "rate-1-percentuale": "70",
        "rate-1-condizione": "final_report",
        "giorni_relazione": "90",
        "budget": "500.000",
    }
    assert post(staff, EDITION_FORM, form).status_code == 302
    with app.app_context():
        edition = db.session.execute(sa.select(Edition).filter_by(year=2021)).scalar_one()
        assert edition.instalment_plan == [
            {"percent": 30, "condition": "start"},
            {"percent": 70, "condition": "final_report"},
        ]
        assert edition.final_report_days == 90
        entry = db.session.scalars(sa.select(AuditEntry).filter_by(action="edition.update")).one()
        assert entry.changes["instalment_plan"] == ["default", "30% start; 70% final_report"]
        assert entry.changes["final_report_days"] == ["None", "90"]
    page = staff.get(EDITION_FORM).get_data(as_text=True)
    assert 'name="rate-1-percentuale" type="text" value="70"' in page or (
        'name="rate-1-percentuale"' in page and 'value="70"' in page
    )
    assert '<option selected value="final_report">' in page
    # All rows emptied: back to the default plan.
    assert post(staff, EDITION_FORM, {"budget": "500.000"}).status_code == 302
    with app.app_context():
        assert db.session.execute(sa.select(Edition).filter_by(year=2021)).scalar_one().instalment_plan == []


# --- scheduling --------------------------------------------------------------------------------


def test_on_success_the_instalments_add_up_to_the_grant_exactly_and_are_written_once(app, data):
    set_plan(
        app,
        [
            {"percent": 33, "condition": "start"},
            {"percent": 33, "condition": "start"},
            {"percent": 34, "condition": "final_report"},
        ],
    )
    campaign_id = funded(app, goal_cents=2_000_033)
    grant = grant_of(app, campaign_id)
    written = rows(app, campaign_id)
    assert [(i.position, i.percent, i.condition) for i in written] == [
        (1, 33, InstalmentCondition.START),
        (2, 33, InstalmentCondition.START),
        (3, 34, InstalmentCondition.FINAL_REPORT),
    ]
    assert [i.amount_cents for i in written[:2]] == [grant * 33 // 100] * 2
    assert sum(i.amount_cents for i in written) == grant and grant % 100  # odd cents, none lost
    set_plan(app, [])  # a plan changed later leaves the written instalments as they are
    close(app, AFTER_THE_END + timedelta(days=1))
    with app.app_context():
        instalments.instalments_of(campaign_id, AFTER_AT)
        instalments.final_report_approved(campaign_id, AFTER_AT)
    assert [(i.id, i.amount_cents) for i in rows(app, campaign_id)] == [(i.id, i.amount_cents) for i in written]


def test_a_campaign_not_succeeded_has_no_instalments(app, staff, data, at):
    live = make_campaign(app, "Orto")
    at("2020-11-15T12:00:00+01:00")
    html = text_of(staff.get(f"/it/gestione/campagne/{live}/rate"))
    assert "Le rate si calcolano quando la campagna si conclude con successo" in html
    not_funded = make_campaign(app, "Chiuso", starts_at=datetime(2020, 8, 1, tzinfo=ROME))
    close(app, AFTER_AT)
    at(AFTER)
    assert "Le rate si calcolano" in text_of(staff.get(f"/it/gestione/campagne/{not_funded}/rate"))
    assert rows(app, live) == rows(app, not_funded) == []
    assert staff.get("/it/gestione/campagne/999999/rate").status_code == 404


def test_staff_opening_the_page_writes_the_instalments_of_a_campaign_closed_before(app, staff, data, at):
    campaign_id = funded(app)
    with app.app_context():
        db.session.execute(sa.delete(GrantInstalment))  # as a campaign that closed before this release
        db.session.commit()
    at(AFTER)
    html = text_of(staff.get(f"/it/gestione/campagne/{campaign_id}/rate"))
    assert [i.amount_cents for i in rows(app, campaign_id)] == [600_000, 600_000]
    assert "Rata 1" in html and "Rata 2" in html and "Da pagare" in html
    assert "Non ancora dovuta: si paga quando lo staff approva il rendiconto finale" in html


# --- recording payments ------------------------------------------------------------------------


def test_the_advance_is_paid_at_once_the_balance_only_after_the_approved_final_report(app, staff, data, at):
    campaign_id = funded(app)
    at(AFTER)
    first, balance = rows(app, campaign_id)
    refused = text_of(staff.get(pay(staff, campaign_id, balance.id).headers["Location"]))
    assert "Questa rata non è ancora dovuta: il pagamento non è stato registrato." in refused
    assert rows(app, campaign_id)[1].paid_at is None
    assert pay(staff, campaign_id, first.id).status_code == 302
    page = text_of(staff.get(f"/it/gestione/campagne/{campaign_id}/rate"))
    assert "Rata 1 segnata come pagata." in page
    assert "riferimento MAND-2021-0042" in page
    assert re.search(r'id="instalments-paid">6\.000 €', page)
    approve_final_report(app, campaign_id)
    assert pay(staff, campaign_id, balance.id, "MAND-2021-0077").status_code == 302
    paid = rows(app, campaign_id)
    assert [(i.payment_reference, i.paid_at is not None) for i in paid] == [
        ("MAND-2021-0042", True),
        ("MAND-2021-0077", True),
    ]
    with app.app_context():
        staff_id = accounts.user_by_email(STAFF).id
        assert {i.paid_by_id for i in paid} == {staff_id}
        entries = db.session.scalars(
            sa.select(AuditEntry).filter_by(action="grant.instalment_paid").order_by(AuditEntry.id)
        ).all()
        assert [(e.subject_id, e.actor_email, e.changes) for e in entries] == [
            (
                campaign_id,
                STAFF,
                {
                    "instalment": [None, 1],
                    "amount_cents": [None, 600_000],
                    "payment_reference": [None, "MAND-2021-0042"],
                },
            ),
            (
                campaign_id,
                STAFF,
                {
                    "instalment": [None, 2],
                    "amount_cents": [None, 600_000],
                    "payment_reference": [None, "MAND-2021-0077"],
                },
            ),
        ]
    final = text_of(staff.get(f"/it/gestione/campagne/{campaign_id}/rate"))
    assert re.search(r'id="instalments-left">0 €', final) and "Segna la rata" not in final


def test_an_instalment_is_paid_once(app, staff, data, at):
    campaign_id = funded(app)
    at(AFTER)
    first = rows(app, campaign_id)[0]
    pay(staff, campaign_id, first.id, "MAND-1")
    again = text_of(staff.get(pay(staff, campaign_id, first.id, "MAND-2").headers["Location"]))
    assert "Questa rata era già segnata come pagata" in again
    assert rows(app, campaign_id)[0].payment_reference == "MAND-1"
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(AuditEntry).filter_by(action="grant.instalment_paid")
            )
            == 1
        )


def test_paid_never_goes_past_committed(app, data):
    campaign_id = funded(app)
    approve_final_report(app, campaign_id)
    with app.app_context():
        first, balance = db.session.scalars(
            sa.select(GrantInstalment).filter_by(campaign_id=campaign_id).order_by(GrantInstalment.position)
        ).all()
        balance.amount_cents += 1  # a row out of step with the grant: the rule still holds
        first_id, balance_id = first.id, balance.id
        db.session.commit()
    with app.app_context():
        staff = accounts.user_by_email(STAFF)
        instalments.record_payment(first_id, "MAND-1", staff, AFTER_AT)
        with pytest.raises(DomainError) as refused:
            instalments.record_payment(balance_id, "MAND-2", staff, AFTER_AT)
        assert refused.value.code is AftercareError.OVER_COMMITTED
        assert db.session.get(GrantInstalment, balance_id).paid_at is None


def test_the_payment_form_needs_a_reference_and_the_instalment_of_that_campaign(app, staff, data, at):
    campaign_id = funded(app)
    other = funded(app, title="Orto Comune")
    at(AFTER)
    first = rows(app, campaign_id)[0]
    blank = pay(staff, campaign_id, first.id, "  ")
    assert blank.status_code == 200
    html = text_of(blank)
    assert "Scrivi il riferimento del pagamento" in html and f'href="#riferimento-{first.id}"' in html
    assert "<title>Errore:" in html
    assert rows(app, campaign_id)[0].paid_at is None
    assert pay(staff, other, first.id).status_code == 404
    assert rows(app, campaign_id)[0].paid_at is None


# --- the ledger and the tracker ----------------------------------------------------------------


def test_the_ledger_and_the_tracker_show_committed_and_paid_the_sql_equal_to_the_rows(app, staff, client, data, at):
    campaign_id = funded(app)
    funded(app, title="Orto Comune", goal_cents=1_000_000)
    at(AFTER)
    first = rows(app, campaign_id)[0]
    pay(staff, campaign_id, first.id)
    with app.app_context():
        edition = db.session.get(Campaign, campaign_id).edition
        paid_at = db.session.get(GrantInstalment, first.id).paid_at
        for moment, paid in ((paid_at - timedelta(seconds=1), 0), (paid_at, 600_000), (AFTER_AT, 600_000)):
            summary = ledger.summary_of(edition, moment)
            by_record = ledger.ledger_of(edition, moment)
            assert summary.paid_cents == by_record.paid_cents == paid
            assert summary.areas == by_record.areas
            states = {}
            for line in by_record.campaigns:
                count, of_state = states.get(line.state, (0, 0))
                states[line.state] = (count + 1, of_state + line.paid_cents)
            assert {line.state: (line.campaigns, line.paid_cents) for line in summary.states} == states
            lines = {line.campaign.id: line.paid_cents for line in ledger.campaign_page(edition, moment, 1)}
            assert lines == {line.campaign.id: line.paid_cents for line in by_record.campaigns}
            assert lines[campaign_id] == paid
            assert summary.paid_cents <= summary.position.committed_cents  # paid is part of committed
    html = text_of(client.get("/it/bando/2020/cofinanziamento"))
    assert re.search(r'id="figure-paid">6\.000 €</dd>', html)
    campaigns = html[
        html.index('id="campaigns-caption"') : html.index("</table>", html.index('id="campaigns-caption"'))
    ]
    assert '<th scope="col" class="text-end">Erogato</th>' in campaigns
    row = campaigns[campaigns.index('href="/it/progetti/lab-barona"') :]
    cells = re.findall(r'aria-hidden="true">(Impegnato|Erogato)</span><span>([^<]+)</span>', row)[:2]
    assert cells == [("Impegnato", "12.000 €"), ("Erogato", "6.000 €")]


# --- two staff at once (PostgreSQL) ------------------------------------------------------------


@pytest.mark.postgres
def test_two_staff_recording_the_same_instalment_at_once_pay_it_once(app, data, at):
    """Each in its own thread, connection and transaction: the campaign's row lock lets one record the
    payment; the other, once the lock is free, reads the instalment paid and is refused."""
    campaign_id = funded(app)
    at(AFTER)
    first = rows(app, campaign_id)[0]
    url = f"/it/gestione/campagne/{campaign_id}/rate"
    clients, posts = [], []
    for number, email in enumerate((STAFF, "marco@comune.milano.example")):
        make_user(app, email, Role.STAFF)
        client = app.test_client()
        sign_in(client, app, email)
        form = {"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), "riferimento": f"MAND-{number}"}
        clients.append(client)
        posts.append(lambda client=client, form=form: client.post(f"{url}/{first.id}/pagata", data=form))
    results, errors = run_together(app, posts)
    assert errors == [] and [r.status_code for r in results] == [302, 302]
    said = sorted(
        "recorded"
        if "Rata 1 segnata come pagata." in page
        else "refused"
        if "già segnata come pagata" in page
        else page
        for page in (text_of(client.get(url)) for client in clients)
    )
    assert said == ["recorded", "refused"]
    paid = rows(app, campaign_id)[0]
    assert paid.payment_reference in ("MAND-0", "MAND-1") and paid.paid_at is not None
    with app.app_context():
        entries = db.session.scalars(sa.select(AuditEntry).filter_by(action="grant.instalment_paid")).all()
        assert [e.changes["payment_reference"][1] for e in entries] == [paid.payment_reference]
        summary = ledger.summary_of(db.session.get(Campaign, campaign_id).edition, AFTER_AT)
        assert summary.paid_cents == paid.amount_cents
