"""The demo after the campaign (issue 19, "How it will be checked"), on the 2021 clock of `make run-2021`:
Lab Barona has succeeded and its page shows "Dopo la raccolta"; the organisation marks a milestone
done; the demo staff, signed in with the README's password and code, approve the final spending report
and record the second instalment; the tracker then shows the whole grant paid, never more than
committed; the open data and the catalogue say the same. Seeded on the June or November clock nothing
of it exists, seeded twice nothing is made twice, and nobody is e-mailed."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from html import unescape
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import DCAT, RDF

from portal.clock import ROME
from portal.demo.aftercare import ADVANCE_REFERENCE, seed_demo_aftercare
from portal.demo.applications import DEMO_PASSWORD
from portal.demo.campaign_data import PROJECTS
from portal.demo.campaign_owner import DEMO_CAMPAIGN_OWNER
from portal.demo.campaigns import seed_demo_campaigns
from portal.demo.seed import DEMO_STAFF
from portal.domain.aftercare import InstalmentCondition, MilestoneState, ReportStatus
from portal.domain.campaign import CampaignState
from portal.domain.pledge import PledgeStatus
from portal.extensions import db
from portal.models import (
    AuditEntry,
    Campaign,
    Edition,
    GrantInstalment,
    ImpactIndicator,
    Milestone,
    OutboxMessage,
    Pledge,
    SpendingReport,
)
from portal.services.cofunding import ledger
from tests.accounts import code_step, csrf_from, password_step
from tests.campaigns import NOVEMBER, NOVEMBER_AT
from tests.insight import dashboard_csv, dashboard_per_municipio, figure, opendata_per_municipio

CLOCK = "2021-03-01T10:00:00+01:00"  # `make run-2021`
CLOCK_AT = datetime(2021, 3, 1, 10, 0, tzinfo=ROME)
JUNE = "2020-06-01T10:00:00+02:00"
PAGE = "/it/progetti/lab-barona"
ROUND_1 = ("climbing-arrampicata-sotto-i-binari-di-greco", "lab-barona", "ri-porta-vittoria-una-comunita-che-rinasce")
CONTRACTS = Path(__file__).resolve().parents[1] / "contracts" / "dcat-ap"
TITLES = {
    "Avvio del progetto": "Completata",
    "Banchi e attrezzi installati nel laboratorio (demo)": "In corso",
    "Prima giornata di riparazioni in piazza (demo)": "Da iniziare",
    "Conclusione del progetto": "Da iniziare",
}
TABLES = (Pledge, Milestone, ImpactIndicator, SpendingReport, GrantInstalment, AuditEntry, OutboxMessage)


def _edition() -> Edition:
    return db.session.scalars(sa.select(Edition).filter_by(year=2020)).one()


@pytest.fixture
def seeded(app):
    """The demo as `flask seed-demo` leaves it on the 2021 clock."""
    with app.app_context():
        seed_demo_campaigns()
        return seed_demo_aftercare(_edition(), CLOCK_AT)


def _barona() -> Campaign:
    return db.session.scalars(sa.select(Campaign).filter_by(slug="lab-barona")).one()


def _text(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def _counts() -> dict[str, int]:
    return {t.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in TABLES}


def _post(client, url: str, **data):
    return client.post(url, data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), **data})


def _pay(client, instalments: str, instalment_id: int):
    """Staff's "Segna la rata come pagata", with the Comune's payment reference."""
    token = csrf_from(client.get(instalments).get_data(as_text=True))
    return client.post(
        f"{instalments}/{instalment_id}/pagata", data={"csrf_token": token, "riferimento": "M-2021/0100"}
    )


def _staff_signs_in(client) -> None:
    assert (
        password_step(client, DEMO_STAFF["email"], DEMO_STAFF["password"]).headers["Location"] == "/it/accesso/codice"
    )
    assert code_step(client, pyotp.TOTP(DEMO_STAFF["totp_secret"]).now()).status_code == 302


def test_every_real_campaign_of_round_1_reached_its_target_before_its_end_and_nobody_was_told(app, seeded):
    assert seeded == {"pledges": 91, "milestones": 4, "indicators": 3, "reports": 2, "instalments": 1}
    with app.app_context():
        for slug in ROUND_1:
            campaign = db.session.scalars(sa.select(Campaign).filter_by(slug=slug)).one()
            assert campaign.state(CLOCK_AT) is CampaignState.SUCCEEDED, slug
            assert campaign.confirmed_cents >= campaign.target_cents and campaign.grant_cents == campaign.reserved_cents
            assert "pledges" in campaign.demo_estimates  # the late pledges are made up, and listed as such
            late = db.session.scalars(
                sa.select(Pledge).where(Pledge.campaign_id == campaign.id, Pledge.email.like("demo-late-%"))
            ).all()
            assert late and all(p.status is PledgeStatus.CONFIRMED for p in late)
            assert all(p.created_at > NOVEMBER_AT and p.confirmed_at < campaign.ends_at for p in late)
            assert all(
                p.email.endswith("@demo.example") and (p.name is None or p.name.endswith("(demo)")) for p in late
            )
            # The November clock is not told: what was confirmed by then is what it always showed.
            project = next(p for p in PROJECTS if p.slug == slug)
            confirmed_by_november = db.session.scalar(
                sa.select(sa.func.sum(Pledge.amount_cents)).where(
                    Pledge.campaign_id == campaign.id, Pledge.confirmed_at < NOVEMBER_AT
                )
            )
            assert confirmed_by_november == project.raised_eur * 100
        assert (_barona().confirmed_cents, _barona().grant_cents) == (8_420_00, 12_000_00)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_the_campaign_page_shows_after_the_campaign_with_the_milestones_and_the_open_data_agrees(
    app, seeded, client, at
):
    at(CLOCK)
    page = _text(client.get(PAGE))
    section = page[page.index("Dopo la raccolta") :]
    for title, status in TITLES.items():
        assert f"{title} {status}" in section
    assert "Persone raggiunte 600" in section and "Volontari coinvolti 12 9" in section  # target, reported
    assert "4.850" in section  # the approved report; the final one awaits review and is not counted
    assert "7.150" not in section
    milestones = csv.DictReader(io.StringIO(client.get("/dati/traguardi.csv").get_data(as_text=True)))
    assert sorted(row["title"] for row in milestones if row["campaign_slug"] == "lab-barona") == sorted(TITLES)
    indicators = csv.DictReader(io.StringIO(client.get("/dati/indicatori.csv").get_data(as_text=True)))
    assert {row["indicator"] for row in indicators if row["campaign_slug"] == "lab-barona"} == {
        "people_reached",
        "events_held",
        "volunteers",
    }


def test_the_organisation_marks_its_milestone_in_progress_done(app, seeded, client, at):
    at(CLOCK)
    with app.app_context():
        campaign = _barona()
        application_id = campaign.application_id
        milestone = db.session.scalars(
            sa.select(Milestone).filter_by(campaign_id=campaign.id, state=MilestoneState.IN_PROGRESS)
        ).one()
        milestone_id, title = milestone.id, milestone.title
    assert password_step(client, DEMO_CAMPAIGN_OWNER["email"], DEMO_PASSWORD).status_code == 302
    url = f"/it/domanda/{application_id}/dopo-la-raccolta"
    assert title in client.get(url).get_data(as_text=True)
    response = _post(
        client,
        url,
        azione="aggiorna-tappa",
        tappa=milestone_id,
        **{
            f"tappa-{milestone_id}-titolo": title,
            f"tappa-{milestone_id}-data": "15/03/2021",
            f"tappa-{milestone_id}-stato": "done",
            f"tappa-{milestone_id}-nota": "Gli attrezzi sono arrivati.",
        },
    )
    assert response.status_code == 303
    assert f"{title} Completata" in _text(app.test_client().get(PAGE))
    with app.app_context():
        assert db.session.get(Milestone, milestone_id).done_on.isoformat() == "2021-03-01"


def test_staff_approve_the_final_report_and_record_the_balance_the_tracker_shows_it_paid(app, seeded, client, at):
    at(CLOCK)
    with app.app_context():
        campaign = _barona()
        campaign_id = campaign.id
        final = db.session.scalars(sa.select(SpendingReport).filter_by(campaign_id=campaign_id, is_final=True)).one()
        assert final.status is ReportStatus.SUBMITTED
        final_id = final.id
        advance, balance = db.session.scalars(
            sa.select(GrantInstalment).filter_by(campaign_id=campaign_id).order_by(GrantInstalment.position)
        ).all()
        assert advance.condition is InstalmentCondition.START and advance.payment_reference == ADVANCE_REFERENCE
        assert advance.paid_at.astimezone(ROME).date().isoformat() == "2021-01-20" and balance.paid_at is None
        assert advance.amount_cents + balance.amount_cents == campaign.grant_cents
        balance_id = balance.id
    _staff_signs_in(client)
    spending = f"/it/gestione/campagne/{campaign_id}/spese"
    assert "ricevuta-demo.pdf" in client.get(spending).get_data(as_text=True)
    receipt = client.get(f"/it/gestione/spese/{final_id}/ricevuta")
    assert receipt.status_code == 200 and receipt.get_data().startswith(b"%PDF")
    instalments = f"/it/gestione/campagne/{campaign_id}/rate"
    assert _pay(client, instalments, balance_id).status_code == 302
    with app.app_context():
        assert db.session.get(GrantInstalment, balance_id).paid_at is None  # not due before the approval
    token = csrf_from(client.get(spending).get_data(as_text=True))
    assert client.post(f"/it/gestione/spese/{final_id}/approva", data={"csrf_token": token}).status_code == 303
    response = _pay(client, instalments, balance_id)
    assert response.status_code == 302
    assert "Rata 2 segnata come pagata." in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        summary = ledger.summary_of(_edition(), CLOCK_AT)
        assert summary.paid_cents == 12_000_00 <= summary.position.committed_cents
    html = app.test_client().get("/it/bando/2020/cofinanziamento").get_data(as_text=True).replace("\xa0", " ")
    assert 'id="figure-paid">12.000 €</dd>' in html
    table = html[html.index('id="campaigns-caption"') : html.index("</table>", html.index('id="campaigns-caption"'))]
    row = table[table.index(f'href="{PAGE}"') :]
    cells = re.findall(r'aria-hidden="true">(Impegnato|Erogato)</span><span>([^<]+)</span>', row)[:2]
    assert cells == [("Impegnato", "12.000 €"), ("Erogato", "12.000 €")]

    # Staff's dashboard and its CSV agree with the open data, and count the payment just recorded.
    assert "Andamento dell'edizione" in client.get("/it/gestione/edizioni/2020").get_data(as_text=True)
    assert client.get("/it/gestione/edizioni/2020/andamento").status_code == 200
    rows = dashboard_csv(client)
    assert dashboard_per_municipio(rows) == opendata_per_municipio(client)
    assert int(figure(rows, "soldi", "contributo_erogato")) == summary.paid_cents


def test_the_catalogue_parses_and_conforms_to_dcat_ap(seeded, client, at):
    at(CLOCK)
    response = client.get("/dati/catalogo.ttl")
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) >= 4
    shapes = Graph()
    for name in ("dcat-ap_2.1.1_shacl_shapes.ttl", "dcat-ap_2.1.1_shacl_range.ttl", "dcat-ap_it_mandatory.ttl"):
        shapes.parse(CONTRACTS / name, format="turtle")
    conforms, _, report = validate(graph, shacl_graph=shapes, inference="none", allow_warnings=False)
    assert conforms, report


def test_seeding_twice_creates_nothing_twice(app, seeded):
    with app.app_context():
        before = _counts()
        assert seed_demo_campaigns() == {"campaigns": 0, "pledges": 0}
        again = seed_demo_aftercare(_edition(), CLOCK_AT)
        assert again == {"pledges": 0, "milestones": 0, "indicators": 0, "reports": 0, "instalments": 0}
        assert _counts() == before


def test_seed_demo_on_the_2021_clock_loads_it_once(app, runner, at):
    at(CLOCK)
    app.config["DEMO_ACCOUNTS"] = True
    try:
        first = runner.invoke(args=["seed-demo"])
        second = runner.invoke(args=["seed-demo"])
    finally:
        app.config.pop("DEMO_ACCOUNTS")
    assert first.exit_code == 0, first.output
    assert "Demo after the campaign: 91 pledges, 4 milestones, 3 indicators, 2 reports, 1 instalments." in first.output
    assert "Demo after the campaign: 0 pledges, 0 milestones, 0 indicators, 0 reports, 0 instalments." in second.output
    with app.app_context():
        assert _barona().state(CLOCK_AT) is CampaignState.SUCCEEDED
        mail = db.session.execute(sa.select(OutboxMessage.to, OutboxMessage.subject)).all()
        assert all(to != DEMO_CAMPAIGN_OWNER["email"] and "Lab Barona" not in subject for to, subject in mail)


def test_on_the_june_and_november_clocks_the_seed_adds_nothing(app, at):
    with app.app_context():
        seed_demo_campaigns()
        for moment in (datetime(2020, 6, 1, 10, 0, tzinfo=ROME), NOVEMBER_AT):
            before = _counts()
            assert set(seed_demo_aftercare(_edition(), moment).values()) == {0}
            assert _counts() == before
        assert _barona().state(NOVEMBER_AT) is CampaignState.LIVE


def test_on_the_june_clock_nothing_of_it_shows_publicly(app, seeded, client, at):
    at(JUNE)
    assert client.get(PAGE).status_code == 404  # public from 30 October 2020
    assert "Banchi e attrezzi" not in client.get("/dati/traguardi.csv").get_data(as_text=True)
    assert "Mandato" not in client.get("/dati/progetti.csv").get_data(as_text=True)
    at(NOVEMBER)
    page = _text(client.get(PAGE))
    assert "Lab Barona" in page and "Dopo la raccolta" not in page  # live: nothing after it yet
