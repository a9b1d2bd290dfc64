"""The co-funding tracker: the ledger exact to the cent, the public page, and selection agreeing with it."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest

from portal.clock import ROME
from portal.domain.campaign import CampaignState
from portal.extensions import db
from portal.models import Campaign, Edition
from portal.services.accounts import accounts
from portal.services.cofunding.ledger import ledger_of
from portal.services.evaluation import selection
from tests.campaigns import NOVEMBER, NOVEMBER_AT, confirm, make_campaign, pledge
from tests.panel import DECIDED_AT, STAFF, evaluated, submitted

SEPTEMBER = datetime(2020, 9, 1, 0, 0, tzinfo=ROME)
SEPTEMBER_PLEDGE = datetime(2020, 9, 15, 12, 0, tzinfo=ROME)


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def figure(html: str, name: str) -> str:
    match = re.search(rf'id="figure-{name}">(.*?)</dd>', html, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.fixture
def ledger_data(app):
    """Five campaigns and one selected project in every position a reserve can be in (budget 500.000 €).

    - Lab Barona (Municipio 6): 20.000,50 € → target 8.000,20 €, reached: grant 12.000,30 € committed;
    - Orto (Municipio 9): 10.000 €, live below the target: 6.000 € reserved;
    - Chiuso (Municipio 2): 15.000,01 €, window ended in October without the target: 9.000 € released;
    - Riserva ampia (Municipio 9): reserve 7.000 € but a grant of 6.000 €: 1.000 € released;
    - Nascosta (Municipio 4): launched, not published: 3.000 € reserved, not listed;
    - a selected application not launched yet: 12.000 € reserved.
    """
    barona = make_campaign(app, "Lab Barona", goal_cents=2_000_050)
    orto = make_campaign(app, "Orto", goal_cents=1_000_000, municipio=9, nil_id=14)
    closed = make_campaign(
        app, "Chiuso", goal_cents=1_500_001, municipio=2, nil_id=13, starts_at=SEPTEMBER, organisation="Org Chiusa"
    )
    wide = make_campaign(app, "Riserva ampia", goal_cents=1_000_000, municipio=9, nil_id=11)
    make_campaign(app, "Nascosta", goal_cents=500_000, municipio=4, nil_id=35, published=False)
    with app.app_context():
        db.session.get(Campaign, wide).reserved_cents = 700_000
        db.session.commit()
    assert confirm(app, pledge(app, barona, 800_020), 800_020) == ("confirmed", 1_200_030)
    assert confirm(app, pledge(app, orto, 100_000), 100_000) == ("confirmed", 0)
    reference = pledge(app, closed, 100_000, at=SEPTEMBER_PLEDGE)
    assert confirm(app, reference, 100_000, at=SEPTEMBER_PLEDGE) == ("confirmed", 0)
    assert confirm(app, pledge(app, wide, 400_000), 400_000) == ("confirmed", 600_000)
    ids = submitted(app, 1)
    evaluated(app, ids)
    with app.app_context():
        selection.select(ids[0], accounts.user_by_email(STAFF), DECIDED_AT)
    return {"barona": barona, "orto": orto, "closed": closed, "wide": wide}


def edition_2020(app) -> Edition:
    return db.session.execute(db.select(Edition).filter_by(year=2020)).scalar_one()


def test_the_ledger_is_exact_to_the_cent(app, ledger_data):
    with app.app_context():
        ledger = ledger_of(edition_2020(app), NOVEMBER_AT)
        position = ledger.position
        assert position.budget_cents == 50_000_000
        assert position.committed_cents == 1_200_030 + 600_000
        assert position.reserved_cents == 600_000 + 300_000 + 1_200_000
        assert position.released_cents == 900_000 + 100_000
        assert position.left_cents == 50_000_000 - 2_100_000 - 1_800_030 == 46_099_970
        lines = {line.campaign.title: line for line in ledger.campaigns}
        assert set(lines) == {"Lab Barona", "Orto", "Chiuso", "Riserva ampia"}  # not the unpublished one
        assert (lines["Lab Barona"].share.committed_cents, lines["Lab Barona"].share.released_cents) == (1_200_030, 0)
        assert lines["Lab Barona"].state is CampaignState.COFUNDED
        assert lines["Chiuso"].state is CampaignState.NOT_FUNDED
        assert lines["Chiuso"].share.released_cents == 900_000
        assert (lines["Riserva ampia"].share.committed_cents, lines["Riserva ampia"].share.released_cents) == (
            600_000,
            100_000,
        )
        assert (ledger.not_public_count, ledger.not_public.reserved_cents) == (2, 1_500_000)
        areas = {area.municipio: area for area in ledger.areas}
        assert [area.municipio for area in ledger.areas] == [2, 4, 6, 9]
        assert (areas[9].projects, areas[9].share.reserved_cents, areas[9].share.committed_cents) == (
            2,
            600_000,
            600_000,
        )
        assert areas[6].share.committed_cents == 1_200_030 and areas[6].share.reserved_cents == 1_200_000
        assert sum(a.share.used_cents + a.share.released_cents for a in ledger.areas) == (
            2_100_000 + 1_800_030 + 1_000_000
        )


def test_before_the_window_ends_a_reserve_is_still_held(app, ledger_data):
    """In mid-October the campaign that will not reach its target still holds its reserve."""
    with app.app_context():
        october = ledger_of(edition_2020(app), datetime(2020, 10, 20, 12, 0, tzinfo=ROME))
        lines = {line.campaign.title: line for line in october.campaigns}
        assert lines["Chiuso"].share.reserved_cents == 900_000
        assert lines["Chiuso"].state is CampaignState.LIVE


def test_selection_sees_the_budget_the_tracker_shows(app, ledger_data):
    """Money released by a campaign not funded can be given to another project."""
    with app.app_context():
        edition = edition_2020(app)
        budget = selection.budget_of(edition, NOVEMBER_AT)
        assert budget.left_cents == ledger_of(edition, NOVEMBER_AT).position.left_cents == 46_099_970


def test_the_tracker_page_shows_the_figures_and_the_tables(app, client, at, ledger_data):
    at(NOVEMBER)
    response = client.get("/it/bando/2020/cofinanziamento")
    assert response.status_code == 200
    html = text_of(response)
    assert figure(html, "budget") == "oltre 500.000 €"
    assert figure(html, "committed") == "18.000,30 €"
    assert figure(html, "reserved") == "21.000 €"
    assert figure(html, "left") == "460.999,70 €"
    assert figure(html, "released") == "10.000 €"
    assert "Dati aggiornati a domenica 15 novembre 2020, alle 12:00 (ora di Roma)." in html
    assert '<svg class="tracker-chart"' in html and "<title id=" in html and "<desc id=" in html
    assert 'href="/it/progetti/lab-barona"' in html
    assert "Nascosta" not in html
    assert "2 progetti selezionati, campagne non ancora pubblicate" in html
    assert "Non finanziata" in html and "Cofinanziata: soglia raggiunta" in html
    campaigns_table = html[html.index('id="campaigns-caption"') : html.index('id="areas-title"')]
    totals_row = campaigns_table[campaigns_table.index('class="totals"') :]
    totals_row = re.sub(r'<span class="cell-label"[^>]*>.*?</span>', "", totals_row)  # a phone's labels
    totals = re.sub(r"<[^>]+>", " ", totals_row)
    figures = re.sub(r"\s+", " ", totals).split("Totale")[1].replace(" €", "").split()[:7]
    # In the order of every campaign's money: raised of the citizens' threshold, the Comune's share (committed,
    # then paid), the goal.
    assert figures == ["14.000,20", "22.000,21", "21.000", "18.000,30", "0", "10.000", "55.000,51"]
    areas_table = html[html.index('id="areas-caption"') :]
    assert 'href="/it/progetti?municipio=9&amp;edizione=2020"' in response.get_data(as_text=True)
    assert "Municipio 9" in areas_table


def test_the_tracker_in_english_and_for_2016(client, at):
    at(NOVEMBER)
    response = client.get("/en/bando/2020/cofinanziamento")
    assert response.status_code == 200 and '<html lang="en">' in response.get_data(as_text=True)
    old = text_of(client.get("/it/bando/2016/cofinanziamento"))
    assert figure(old, "budget") == "non disponibile"
    assert "non ha i dati delle singole campagne" in old


@pytest.mark.parametrize("path", ["/it/bando/1999/cofinanziamento", "/xx/bando/2020/cofinanziamento"])
def test_an_unknown_edition_has_no_tracker(client, path):
    assert client.get(path).status_code == 404


def test_an_unpublished_edition_has_no_tracker(app, client):
    with app.app_context():
        edition_2020(app).is_published = False
        db.session.commit()
    assert client.get("/it/bando/2020/cofinanziamento").status_code == 404


def test_the_call_page_links_to_its_tracker(client):
    html = client.get("/it/bando/2020").get_data(as_text=True)
    assert 'href="/it/bando/2020/cofinanziamento"' in html
