"""Spending reports: a funded project reports an expense against a budget line of its application with
a PDF receipt (through the attachments' checks); only staff download the receipt; staff approve it or
send it back with a reason, audited and mailed; only approved amounts are public; the final report is
reminded 14 days before and on the due day, once each."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date, datetime, timedelta
from html import unescape

import pytest
from flask import render_template

from portal.clock import ROME
from portal.domain import DomainError
from portal.domain import aftercare as aftercare_rules
from portal.domain.aftercare import ReportStatus
from portal.extensions import db
from portal.models import (
    AuditEntry,
    BudgetItem,
    Campaign,
    GrantInstalment,
    OutboxMessage,
    Role,
    SpendingReport,
)
from portal.services import data_version, uploads
from portal.services.accounts import accounts
from portal.services.aftercare import spending, spending_reminders
from tests.accounts import csrf_from, make_user, sign_in
from tests.applicants import pdf_bytes
from tests.html_validation import vnu_errors
from tests.projects import applied_campaign

FUNDED = "2021-03-01T10:00:00+01:00"  # the 2020 campaigns are over: Lab Barona succeeded
FUNDED_AT = datetime(2021, 3, 1, 10, 0, tzinfo=ROME)
OWNER, OTHER = "anna@cordata.example", "bruno@altra.example"
STAFF, EVALUATOR, COACH = "staff@comune.milano.example", "eva@valutatori.example", "carla@coach.example"
# The application's project ends on 31/12/2021 (tests/applicants.py): its final report is due 60 days later.
DUE_ON = date(2022, 3, 1)


@pytest.fixture(autouse=True)
def _funded(at):
    at(FUNDED)


def _funded_campaign(app, email: str, number: int, title: str, *, succeeded: bool = True) -> int:
    """An applicant's submitted application turned into a campaign that reached its target in time."""
    return applied_campaign(app, email, number, title=title, succeeded=succeeded, owned=True)[0]


@pytest.fixture
def world(app):
    make_user(app, STAFF, Role.STAFF)
    make_user(app, EVALUATOR, Role.EVALUATOR)
    make_user(app, COACH, Role.COACH)
    barona = _funded_campaign(app, OWNER, 0, "Lab Barona")
    orto = _funded_campaign(app, OTHER, 1, "Orto Comune")
    with app.app_context():
        lines = db.session.scalars(
            db.select(BudgetItem.id).filter_by(application_id=barona).order_by(BudgetItem.position)
        ).all()
        campaign_id = db.session.scalars(db.select(Campaign.id).filter_by(application_id=barona)).one()
    return {"application": barona, "other_application": orto, "campaign": campaign_id, "lines": lines}


def signed_in(app, email):
    client = app.test_client()
    sign_in(client, app, email)
    return client


def page_url(application_id: int) -> str:
    return f"/it/domanda/{application_id}/spese"


def words(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def send_report(client, world, *, content=None, filename="fattura.pdf", line=0, amount="1.250,50", final=False, **form):
    token = csrf_from(client.get(page_url(world["application"])).get_data(as_text=True))
    data = {
        "csrf_token": token,
        "voce": str(world["lines"][line]),
        "importo": amount,
        "descrizione": "Fattura n. 12 della falegnameria Rossi",
        "data": "15/02/2021",
        "ricevuta": (io.BytesIO(pdf_bytes() if content is None else content), filename),
        **form,
    }
    if final:
        data["finale"] = "y"
    return client.post(page_url(world["application"]), data=data, content_type="multipart/form-data")


def submitted(app, world, amount_cents=125_050, *, line=0, final=False) -> int:
    """A report sent through the service (the form has its own tests)."""
    with app.app_context():
        owner = accounts.user_by_email(OWNER)
        report = spending.submit_report(
            world["campaign"], world["lines"][line], amount_cents, "Tavoli", date(2021, 2, 15), final,
            "fattura.pdf", pdf_bytes(), owner, FUNDED_AT,
        )  # fmt: skip
        return report.id


def reports(app) -> list[SpendingReport]:
    with app.app_context():
        rows = db.session.scalars(db.select(SpendingReport).order_by(SpendingReport.id)).all()
        db.session.expunge_all()
        return rows


def stored_files(app) -> set[str]:
    with app.app_context():
        return {path.name for path in uploads.folder().iterdir()}


def actions(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            db.select(AuditEntry.action).where(AuditEntry.action.like("spending.%")).order_by(AuditEntry.id)
        ).all()


def mails_to(app, email) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(db.select(OutboxMessage).filter_by(to=email).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


# --- the organisation reports ---------------------------------------------------------------------


def test_the_organisation_reports_an_expense_with_its_pdf_receipt(app, world):
    client = signed_in(app, OWNER)
    page = client.get(page_url(world["application"]))
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = words(page)
    assert "Educatori 15.000,00 € 0,00 € 0,00 €" in text  # budgeted, reported, approved
    assert "Il rendiconto finale è atteso entro il 1 marzo 2022." in text

    receipt = pdf_bytes(2)
    response = send_report(client, world, content=receipt)
    assert response.status_code == 303
    [report] = reports(app)
    assert (report.amount_cents, report.budget_item_id, report.status) == (
        125_050,
        world["lines"][0],
        ReportStatus.SUBMITTED,
    )
    assert report.spent_on == date(2021, 2, 15) and report.receipt_filename == "fattura.pdf"
    assert report.receipt_sha256 == hashlib.sha256(receipt).hexdigest() and report.receipt_size == len(receipt)
    assert report.receipt_key != "fattura.pdf" and len(report.receipt_key) == 32  # random, not the uploaded name
    with app.app_context():
        assert uploads.path_of(report.receipt_key).read_bytes() == receipt
    assert actions(app) == ["spending.submit"]

    after = words(client.get(response.headers["Location"]))
    assert "Rendiconto inviato" in after
    assert "Educatori 15.000,00 € 1.250,50 € 0,00 €" in after
    assert "Da controllare" in after


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"MZ\x90\x00 not a pdf at all", "fattura.pdf", "Il file non è un PDF, anche se il nome lo fa pensare"),
        (b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024), "grande.pdf", "Il file è troppo grande: al massimo 5 MB"),
        (b"", "vuoto.pdf", "Il file è vuoto"),
    ],
    ids=["not-pdf", "oversize", "empty"],
)
def test_a_receipt_that_is_not_an_acceptable_pdf_is_refused_and_nothing_is_stored(
    app, world, content, filename, message
):
    client = signed_in(app, OWNER)
    before = stored_files(app)
    response = send_report(client, world, content=content, filename=filename, amount="99,90")
    assert response.status_code == 200
    text = words(response)
    assert message in text
    html = response.get_data(as_text=True)
    assert 'value="99,90"' in html and 'value="Fattura n. 12 della falegnameria Rossi"' in html  # kept as typed
    assert reports(app) == []
    assert stored_files(app) == before
    assert actions(app) == []


def test_bad_fields_are_shown_beside_what_was_typed_and_nothing_is_stored(app, world):
    client = signed_in(app, OWNER)
    response = send_report(client, world, amount="0", data="31/12/2030", descrizione="")
    text = words(response)
    assert "L'importo deve essere maggiore di zero" in text
    assert "Scrivi che cosa è stato pagato" in text
    assert response.get_data(as_text=True).count('aria-invalid="true"') >= 2
    future = send_report(client, world, data="31/12/2030")
    assert "La data della spesa non può essere nel futuro" in words(future)
    assert reports(app) == []


def test_a_line_of_another_application_is_refused(app, world):
    with app.app_context():
        foreign = db.session.scalars(
            db.select(BudgetItem.id).filter_by(application_id=world["other_application"])
        ).first()
        owner = accounts.user_by_email(OWNER)
        with pytest.raises(DomainError) as refused:
            spending.submit_report(
                world["campaign"], foreign, 100, "x", date(2021, 2, 1), False, "r.pdf", pdf_bytes(), owner, FUNDED_AT
            )
    assert refused.value.code is spending.SpendingError.NOT_A_LINE
    assert reports(app) == []


def test_overspending_a_line_is_a_warning_not_a_refusal(app, world):
    client = signed_in(app, OWNER)
    response = send_report(client, world, line=1, amount="5.500")  # Arredi: 5.000 € budgeted
    assert response.status_code == 303
    text = words(client.get(response.headers["Location"]))
    assert "le spese rendicontate superano l'importo previsto" in text
    assert "Arredi 5.000,00 € 5.500,00 € oltre il previsto 0,00 €" in text
    assert len(reports(app)) == 1


def test_another_organisation_sees_nothing(app, world):
    report_id = submitted(app, world)
    other = signed_in(app, OTHER)
    page = other.get(page_url(world["application"]))
    assert page.status_code == 404 and b"Tavoli" not in page.data
    token = csrf_from(other.get(page_url(world["other_application"])).get_data(as_text=True))
    refused = other.post(
        page_url(world["application"]),
        data={
            "csrf_token": token,
            "voce": str(world["lines"][0]),
            "importo": "1",
            "descrizione": "x",
            "data": "01/02/2021",
        },
    )
    assert refused.status_code == 404
    assert [r.id for r in reports(app)] == [report_id]
    with app.app_context():
        other_user = accounts.user_by_email(OTHER)
        with pytest.raises(DomainError) as refused_by_service:
            spending.submit_report(
                world["campaign"], world["lines"][0], 100, "x", date(2021, 2, 1), False, "r.pdf", pdf_bytes(),
                other_user, FUNDED_AT,
            )  # fmt: skip
    assert refused_by_service.value.code is spending.SpendingError.NOT_YOURS


def test_a_campaign_that_has_not_succeeded_takes_no_report(app, world, at):
    at("2020-11-15T12:00:00+01:00")  # still live
    client = signed_in(app, OWNER)
    page = client.get(page_url(world["application"]))
    assert "I rendiconti si inviano quando la campagna si è conclusa con successo" in words(page)
    assert 'name="ricevuta"' not in page.get_data(as_text=True)
    send_report(client, world)
    assert reports(app) == []


def test_once_the_final_report_is_sent_no_new_report_is_taken_until_it_is_sent_back(app, world):
    final = submitted(app, world, final=True)
    client = signed_in(app, OWNER)
    assert "Il rendiconto finale è già stato inviato" in words(client.get(page_url(world["application"])))
    with app.app_context():
        spending.send_back(final, "Manca la firma", accounts.user_by_email(STAFF), FUNDED_AT)
    assert send_report(client, world).status_code == 303


# --- the receipt: staff only ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", OWNER, OTHER, EVALUATOR, COACH])
def test_the_receipt_is_for_staff_only(app, world, who):
    report_id = submitted(app, world)
    client = app.test_client() if who == "anonymous" else signed_in(app, who)
    response = client.get(f"/it/gestione/spese/{report_id}/ricevuta")
    if who == "anonymous":
        assert response.status_code == 302 and response.headers["Location"].startswith("/it/accesso")
    else:
        assert response.status_code in (403, 404)
    assert b"%PDF" not in response.data


def test_staff_download_the_receipt_never_stored_nor_shown_inline(app, world):
    report_id = submitted(app, world)
    response = signed_in(app, STAFF).get(f"/it/gestione/spese/{report_id}/ricevuta")
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == reports(app)[0].receipt_sha256
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "fattura.pdf" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert signed_in(app, STAFF).get("/it/gestione/spese/999999/ricevuta").status_code == 404


# --- staff review -----------------------------------------------------------------------------------


def staff_post(client, url, review_url, **data):
    token = csrf_from(client.get(review_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_staff_approve_and_send_back_with_a_reason_audited_and_mailed(app, world):
    first, second = submitted(app, world), submitted(app, world, 30_000, line=1)
    staff = signed_in(app, STAFF)
    review = f"/it/gestione/campagne/{world['campaign']}/spese"
    page = staff.get(review)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert f"/it/gestione/spese/{first}/ricevuta" in page.get_data(as_text=True)

    approved = staff_post(staff, f"/it/gestione/spese/{first}/approva", review)
    assert approved.status_code == 303

    no_reason = staff_post(
        staff, f"/it/gestione/spese/{second}/rimanda", review, **{f"rendiconto-{second}-motivo": "  "}
    )
    assert no_reason.status_code == 400
    assert "Scrivi il motivo" in words(no_reason)
    assert no_reason.get_data(as_text=True).count('aria-invalid="true"') == 1

    reason = "La ricevuta è di un altro anno: carica quella del 2021"
    returned = staff_post(
        staff, f"/it/gestione/spese/{second}/rimanda", review, **{f"rendiconto-{second}-motivo": reason}
    )
    assert returned.status_code == 303
    again = staff_post(staff, f"/it/gestione/spese/{second}/approva", review)  # reviewed already: refused
    assert again.status_code == 303 and "già stato controllato" in words(staff.get(review))

    rows = {r.id: r for r in reports(app)}
    assert rows[first].status is ReportStatus.APPROVED and rows[first].reviewed_by_id is not None
    assert rows[second].status is ReportStatus.RETURNED and rows[second].reason == reason
    assert actions(app) == ["spending.submit", "spending.submit", "spending.approve", "spending.send_back"]
    with app.app_context():
        entry = db.session.scalars(db.select(AuditEntry).filter_by(action="spending.send_back")).one()
        assert entry.actor_email == STAFF and entry.changes["reason"] == [None, reason]

    mails = mails_to(app, OWNER)
    subjects = [m.subject for m in mails]
    assert "Rendiconto approvato: «Lab Barona»" in subjects
    assert "Rendiconto da correggere: «Lab Barona»" in subjects
    returned_mail = next(m for m in mails if m.subject.startswith("Rendiconto da correggere"))
    assert reason in returned_mail.body and f"/it/domanda/{world['application']}/spese" in returned_mail.body

    organisation_page = words(signed_in(app, OWNER).get(page_url(world["application"])))
    assert f"Rimandato indietro: {reason}" in organisation_page
    assert "Educatori 15.000,00 € 1.250,50 € 1.250,50 €" in organisation_page


def test_the_organisation_reads_the_mail_in_its_language(app, world):
    with app.app_context():
        accounts.user_by_email(OWNER).lang = "en"
        db.session.commit()
    report_id = submitted(app, world)
    with app.app_context():
        spending.approve(report_id, accounts.user_by_email(STAFF), FUNDED_AT)
    mail = mails_to(app, OWNER)[-1]
    assert mail.subject == "Spending report approved: «Lab Barona»"
    assert "/en/domanda/" in mail.body


def test_approving_the_final_report_schedules_the_grant_instalments(app, world):
    report_id = submitted(app, world, final=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(GrantInstalment.id))) == 0
        spending.approve(report_id, accounts.user_by_email(STAFF), FUNDED_AT)
        grant = db.session.get(Campaign, world["campaign"]).grant_cents
        amounts = db.session.scalars(db.select(GrantInstalment.amount_cents).filter_by(campaign_id=world["campaign"]))
        assert sum(amounts) == grant


def test_only_staff_may_review(app, world):
    report_id = submitted(app, world)
    with app.app_context(), pytest.raises(DomainError):
        spending.approve(report_id, accounts.user_by_email(OWNER), FUNDED_AT)
    assert reports(app)[0].status is ReportStatus.SUBMITTED


# --- public totals -------------------------------------------------------------------------------


def test_the_public_totals_count_only_approved_reports(app, world):
    first, second = submitted(app, world, 100_000), submitted(app, world, 40_000, line=1)
    submitted(app, world, 7_000)  # left waiting
    with app.app_context():
        staff = accounts.user_by_email(STAFF)
        spending.approve(first, staff, FUNDED_AT)
        spending.send_back(second, "Manca la data", staff, FUNDED_AT)
        campaign = db.session.get(Campaign, world["campaign"])
        totals = spending.public_totals(campaign)
        assert spending.approved_by_line(campaign.id) == {world["lines"][0]: 100_000}
        assert spending.approved_total(campaign.id) == totals.approved_cents == 100_000
        assert [(line.description, line.approved_cents) for line in totals.lines] == [
            ("Educatori", 100_000),
            ("Arredi", 0),
        ]
        with app.test_request_context("/it/"):
            html = render_template("campaigns/_spending_totals.html", campaign=campaign, spending_totals=totals)
            nothing = render_template("campaigns/_spending_totals.html", campaign=campaign)
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " "))
    assert "1.000,00 € su un budget di 20.000,00 €" in text
    assert "Educatori 15.000,00 € 1.000,00 €" in text and "Arredi 5.000,00 € 0,00 €" in text
    assert "70,00" not in text and "400,00" not in text  # neither the waiting nor the returned one
    assert "fattura.pdf" not in html  # receipts never public
    assert nothing.strip() == ""


def test_the_public_totals_are_read_once_per_data_version(app, world, count_queries):
    report_id = submitted(app, world, 100_000)

    def read(counted: bool = False):
        with app.app_context():  # a request of its own: the data version is read once per request
            campaign = db.session.get(Campaign, world["campaign"])
            data_version.current()
            if not counted:
                return spending.public_totals(campaign), None
            with count_queries() as queries:
                totals = spending.public_totals(campaign)
            return totals, queries

    first, _ = read()
    again, queries = read(counted=True)
    assert queries.count == 0 and again == first and first.approved_cents == 0
    with app.app_context():
        spending.approve(report_id, accounts.user_by_email(STAFF), FUNDED_AT)
    after, queries = read(counted=True)
    assert queries.count == 1 and after.approved_cents == 100_000  # a new version: read again, in one query


# --- reminders ----------------------------------------------------------------------------------


def reminders_to(app, email) -> list[str]:
    return [m.subject for m in mails_to(app, email) if "rendiconto finale" in m.subject]


def test_the_reminder_run_twice_sends_once(app, world):
    with app.app_context():
        assert spending_reminders.remind_reports(datetime(2022, 2, 14, 9, 0, tzinfo=ROME)) == 0  # 15 days before
        before = datetime(2022, 2, 15, 9, 0, tzinfo=ROME)
        assert spending_reminders.remind_reports(before) == 2  # Lab Barona and Orto Comune
        assert spending_reminders.remind_reports(before) == 0
        assert spending_reminders.remind_reports(before + timedelta(days=3)) == 0
    runner = app.test_cli_runner()
    due = runner.invoke(args=["remind-reports", "--now", "2022-03-01T09:00:00+01:00"])
    assert "Queued 2 spending report reminders" in due.output
    again = runner.invoke(args=["remind-reports", "--now", "2022-03-02T09:00:00+01:00"])
    assert "Queued 0 spending report reminders" in again.output
    assert reminders_to(app, OWNER) == [
        "Il rendiconto finale di «Lab Barona» è atteso entro il 1 marzo 2022",
        "Il rendiconto finale di «Lab Barona» è da inviare",
    ]
    assert actions(app) == ["spending.reminder_before"] * 2 + ["spending.reminder_due"] * 2


def test_no_reminder_once_the_final_report_is_sent(app, world):
    submitted(app, world, final=True)
    with app.app_context():
        assert spending_reminders.remind_reports(datetime(2022, 3, 1, 9, 0, tzinfo=ROME)) == 1  # Orto Comune only
    assert reminders_to(app, OWNER) == []
    assert len(reminders_to(app, OTHER)) == 1


def test_the_final_report_is_due_days_after_the_projects_end():
    assert aftercare_rules.final_report_due(date(2021, 12, 31), None) == DUE_ON
    assert aftercare_rules.final_report_due(date(2021, 12, 31), 30) == date(2022, 1, 30)
    assert aftercare_rules.reminder_due(DUE_ON, DUE_ON - timedelta(days=15)) is None
    assert aftercare_rules.reminder_due(DUE_ON, DUE_ON - timedelta(days=14)) is aftercare_rules.Reminder.BEFORE
    assert aftercare_rules.reminder_due(DUE_ON, DUE_ON) is aftercare_rules.Reminder.DUE
    assert aftercare_rules.reminder_due(DUE_ON, DUE_ON + timedelta(days=40)) is aftercare_rules.Reminder.DUE


# --- valid HTML -------------------------------------------------------------------------------------


def test_the_spending_pages_are_valid_html(app, world, tmp_path):
    report_id = submitted(app, world, final=True)
    owner, staff = signed_in(app, OWNER), signed_in(app, STAFF)
    review = f"/it/gestione/campagne/{world['campaign']}/spese"
    pages = {
        "organisation": owner.get(page_url(world["application"])),
        "staff": staff.get(review),
        "staff-error": staff_post(staff, f"/it/gestione/spese/{report_id}/rimanda", review),
    }
    with app.app_context():
        spending.send_back(report_id, "Manca la firma", accounts.user_by_email(STAFF), FUNDED_AT)
    pages["organisation-error"] = send_report(owner, world, content=b"not a pdf", amount="0")
    pages["staff-reviewed"] = staff.get(review)
    files = []
    for case, response in pages.items():
        assert response.status_code in (200, 400), case
        target = tmp_path / f"{case}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []
