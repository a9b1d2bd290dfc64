"""Staff's dashboard per edition (issue 19, item 5): figures that agree with the open data, a CSV a
spreadsheet opens safely, staff only, and the same queries whatever the edition's size."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from portal.domain.aftercare import MilestoneState, ReportStatus
from portal.domain.pledge import PaymentMethod, PledgeStatus
from portal.extensions import db
from portal.models import Application, BudgetItem, Campaign, Milestone, Pledge, Role, SpendingReport
from portal.services.aftercare import spending
from tests.accounts import make_user, sign_in
from tests.campaigns import AFTER_THE_END, NOVEMBER_AT, STARTS_AT, close, confirm, make_campaign, pledge
from tests.insight import dashboard_csv, dashboard_per_municipio, figure, opendata_per_municipio
from tests.panel import STAFF, submitted
from tests.scaling import analyse, assert_same_cost

AFTER = "2021-01-15T10:00:00+01:00"  # the 2020 campaigns are over
PAGE = "/it/gestione/edizioni/2020/andamento"
CSV = f"{PAGE}.csv"
FORMULA_ORG = '=HYPERLINK("http://x.example","Vinci")'


def text_of(response) -> str:
    """The page's text, tags left out."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(text).replace("\u00a0", " "))


@pytest.fixture
def staff(app):
    make_user(app, STAFF, Role.STAFF)
    client = app.test_client()
    sign_in(client, app, STAFF)
    return client


def edition_2020(app) -> dict[str, int]:
    """Lab Barona (Municipio 6, Barona) reached its target on 15 November, 16 days after opening,
    one pledge by card; a campaign in Duomo (Municipio 1) whose organisation's name is a formula did
    not; a campaign never published counts nowhere."""
    barona = make_campaign(app, "Lab Barona", goal_cents=2_000_000)
    with app.app_context():
        target = db.session.get(Campaign, barona).target_cents
    confirm(app, pledge(app, barona, target - 5_000), target - 5_000)
    card = pledge(app, barona, 5_000, email="carta@example.org")
    with app.app_context():
        db.session.scalars(db.select(Pledge).filter_by(reference=card)).one().method = PaymentMethod.CARD
        db.session.commit()
    confirm(app, card, 5_000, at=NOVEMBER_AT + timedelta(hours=1))
    duomo = make_campaign(app, "Piazza viva", slug="piazza-viva", municipio=1, nil_id=1, organisation=FORMULA_ORG)
    confirm(app, pledge(app, duomo, 30_000), 30_000)
    pledge(app, duomo, 7_000)  # pending until the closing cancels it
    make_campaign(app, "Bozza", slug="bozza", published=False)
    close(app, AFTER_THE_END)
    return {"barona": barona, "duomo": duomo}


def test_the_dashboard_agrees_with_the_open_data_per_municipio(app, staff, client, at):
    edition_2020(app)
    at(AFTER)
    expected = opendata_per_municipio(client)
    rows = dashboard_csv(staff)
    shown = dashboard_per_municipio(rows)
    assert shown == expected and set(shown) == {"1", "6"}  # the unpublished campaign counts nowhere
    assert int(figure(rows, "campagne", "succeeded")) == 1
    assert int(figure(rows, "campagne", "not_funded")) == 1
    assert int(figure(rows, "soldi", "raccolti_confermati")) == sum(place[1] for place in expected.values())
    assert figure(rows, "soldi", "in_attesa") == "0"  # the closing cancelled the pending pledge
    assert int(figure(rows, "nil_campagne", "46")) == 1 and int(figure(rows, "nil_campagne", "1")) == 1


def test_the_rates_the_mix_and_the_days_to_threshold(app, staff, at):
    edition_2020(app)
    at(AFTER)
    rows = dashboard_csv(staff)
    assert figure(rows, "esiti", "tasso_di_successo") == "50.00"
    # Opened on 30 October, target reached on 15 November (Rome): 16 calendar days.
    assert figure(rows, "esiti", "giorni_alla_soglia_mediana") == "16.00"
    assert figure(rows, "campagna_giorni_alla_soglia", "lab-barona") == "16"
    assert figure(rows, "esiti", "sostenitori_per_campagna_mediana") == "1.50"  # 2 and 1 supporters
    mix = {key: int(figure(rows, "pagamenti_quota", key)) for key in ("bank_transfer", "card")}
    assert sum(mix.values()) == 100
    with app.app_context():
        card = db.session.scalar(db.select(Pledge.amount_cents).filter_by(method=PaymentMethod.CARD))
        confirmed = db.session.scalar(
            db.select(db.func.sum(Pledge.amount_cents)).filter_by(status=PledgeStatus.CONFIRMED)
        )
    assert int(figure(rows, "pagamenti_importo", "card")) == card
    assert mix["card"] == round(100 * card / confirmed)
    page = text_of(staff.get(PAGE))
    assert "Tasso di successo: 50,00% (campagne concluse con successo: 1 su 2 concluse)." in page
    assert "non contiene dati sulla popolazione" in page


def test_a_formula_looking_name_is_neutralised_in_the_csv(app, staff, at):
    edition_2020(app)
    at(AFTER)
    labels = [row["etichetta"] for row in dashboard_csv(staff) if row["chiave"] == "piazza-viva"]
    assert labels and all(label == f"Piazza viva – {FORMULA_ORG}" for label in labels)
    body = staff.get(CSV).data.decode("utf-8")
    assert f"'{FORMULA_ORG}" not in body  # the name is inside the cell, after the title
    make_campaign(app, "=1+1", slug="formula-title")
    labels = [row["etichetta"] for row in dashboard_csv(staff) if row["chiave"] == "formula-title"]
    assert labels and all(label.startswith("'=1+1") for label in labels)


def test_overdue_final_reports_and_late_milestones(app, staff, at):
    ids = edition_2020(app)
    application_id = submitted(app, 1)[0]
    with app.app_context():
        application = db.session.get(Application, application_id)
        application.end_date = date(2020, 11, 1)  # the final report was due 60 days later: 31 December
        db.session.get(Campaign, ids["barona"]).application_id = application_id
        for position, (state, due_on) in enumerate(
            [(MilestoneState.DONE, date(2020, 12, 1)), (MilestoneState.PLANNED, date(2020, 12, 15))], start=1
        ):
            db.session.add(
                Milestone(
                    campaign_id=ids["barona"],
                    position=position,
                    title=f"Tappa {position}",
                    due_on=due_on,
                    state=state,
                    updated_at=NOVEMBER_AT,
                )
            )
        db.session.commit()
    at("2020-12-31T12:00:00+01:00")
    page = text_of(staff.get(PAGE))
    assert "Rendiconti finali in ritardo 0 su 1 attesi" in page  # due today: not overdue yet
    assert "Tappe in ritardo 1 su 2 tappe" in page  # the one done is never late
    at(AFTER)
    assert "Rendiconti finali in ritardo 1 su 1 attesi" in text_of(staff.get(PAGE))
    with app.app_context():
        line = db.session.scalars(db.select(BudgetItem.id).filter_by(application_id=application_id)).first()
        db.session.add(
            SpendingReport(
                campaign_id=ids["barona"],
                budget_item_id=line,
                amount_cents=10_000,
                description="Attrezzi",
                spent_on=date(2021, 1, 10),
                is_final=True,
                receipt_filename="fattura.pdf",
                receipt_key="k" * 32,
                receipt_size=1000,
                receipt_sha256="0" * 64,
                status=ReportStatus.SUBMITTED,
                submitted_at=STARTS_AT + timedelta(days=70),
            )
        )
        db.session.commit()
        assert spending.reporting_closed(ids["barona"])  # the spending service's rule says: sent
    assert "Rendiconti finali in ritardo 0 su 1 attesi" in text_of(staff.get(PAGE))  # and so does the dashboard


@pytest.mark.parametrize("url", [PAGE, CSV])
def test_only_staff_see_the_dashboard(app, client, url):
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    make_user(app, "org@org.example", Role.APPLICANT)
    sign_in(client, app, "org@org.example")
    assert client.get(url).status_code == 403


def test_an_unknown_year_is_not_found(staff):
    assert staff.get("/it/gestione/edizioni/1999/andamento").status_code == 404
    assert staff.get("/it/gestione/edizioni/1999/andamento.csv").status_code == 404


def test_the_edition_page_links_to_the_dashboard(staff):
    assert f'href="{PAGE}"' in staff.get("/it/gestione/edizioni/2020").get_data(as_text=True)


def test_the_same_queries_at_two_sizes(app, staff, at, count_queries):
    ids = edition_2020(app)
    # A campaign in Barona nobody supported: the bigger edition adds many more like it.
    make_campaign(app, "Vuota 0", slug="vuota-0")
    at(AFTER)
    with app.app_context():
        analyse()
    with count_queries() as small:
        assert staff.get(PAGE).status_code == 200
    for number in range(1, 40):
        make_campaign(app, f"Vuota {number}", slug=f"vuota-{number}")
    with app.app_context():
        barona = db.session.get(Campaign, ids["barona"])
        for number in range(300):  # many more confirmed pledges, by bank transfer
            db.session.add(
                Pledge(
                    campaign_id=barona.id,
                    amount_cents=1_000,
                    reference=f"RF{number:08d}",
                    email=f"s{number}@example.org",
                    status=PledgeStatus.CONFIRMED,
                    consent_at=NOVEMBER_AT,
                    created_at=NOVEMBER_AT,
                    confirmed_at=NOVEMBER_AT,
                )
            )
        barona.confirmed_cents += 300_000
        barona.supporters += 300
        analyse()
    with count_queries() as big:
        page = text_of(staff.get(PAGE))
    with app.app_context():
        assert_same_cost(small, big)
    # The signed-in user, the edition, the dashboard's eight aggregates, the layout's own few.
    assert len(big.statements) <= 14
    assert "Municipio 6" in page
