"""The co-funding tracker and the open-data page, with the demo campaigns: axe at both widths, Nu HTML."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.demo.campaigns import seed_demo_campaigns
from tests.browser.conftest import assert_accessible
from tests.campaigns import NOVEMBER, make_campaign
from tests.html_validation import vnu_errors

PAGES = (
    "/it/bando/2020/cofinanziamento",
    "/en/bando/2020/cofinanziamento",
    "/it/bando/2016/cofinanziamento",
    "/it/dati-aperti",
    "/en/dati-aperti",
)


@pytest.fixture
def demo(app, at):
    with app.app_context():
        seed_demo_campaigns()
    at(NOVEMBER)


@pytest.mark.browser
def test_the_tracker_and_the_open_data_page_have_no_axe_violations(page, live_server, axe_source, demo):
    for path in PAGES:
        page.goto(live_server + path)
        assert_accessible(page, axe_source)
    page.goto(live_server + PAGES[0])
    assert page.get_by_role("img", name="Budget del cofinanziamento 2020").is_visible()
    assert page.locator("#figure-left").inner_text().strip().endswith("€")


@pytest.mark.browser
def test_the_tracker_reads_as_text_and_tables_by_keyboard(page, live_server, demo):
    page.goto(live_server + PAGES[0])
    caption = page.get_by_role("table", name="Cofinanziamento per campagna, bando 2020")
    assert caption.get_by_role("link", name="Lab Barona").is_visible()
    region = page.get_by_role("region", name="Cofinanziamento per campagna, bando 2020")
    region.focus()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"  # scrollable at 390 px


def test_the_tracker_and_the_open_data_page_are_valid_html(app, client, demo, tmp_path):
    files = []
    for number, path in enumerate(PAGES):
        response = client.get(path)
        assert response.status_code == 200, path
        target = tmp_path / f"transparency-{number}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []


@pytest.mark.browser
def test_on_a_390_px_phone_each_row_of_the_tracker_is_a_labelled_block_without_scrolling(page, live_server, demo):
    """No column hidden, nothing to scroll sideways: each figure carries its column's name."""
    page.set_viewport_size({"width": 390, "height": 844})
    for path in PAGES[:3]:
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        widths = page.evaluate(
            """() => ({
                page: document.documentElement.scrollWidth,
                view: document.documentElement.clientWidth,
                tables: [...document.querySelectorAll('.table-responsive')].map(r => r.scrollWidth - r.clientWidth),
            })"""
        )
        assert widths["page"] <= widths["view"], path
        assert all(extra <= 0 for extra in widths["tables"]), path
    page.goto(live_server + PAGES[0])
    row = page.get_by_role("table", name="Cofinanziamento per campagna, bando 2020").locator("tbody tr").first
    for label in ("Stato", "Raccolto", "Soglia dei cittadini", "Contributo del Comune", "Riservato", "Obiettivo"):
        assert row.locator(".cell-label", has_text=label).first.is_visible(), label
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not row.locator(".cell-label").first.is_visible()  # on a wide screen the column headers say it


PAGED = ("/it/bando/2020/cofinanziamento?pagina=2", "/en/bando/2020/cofinanziamento")


@pytest.fixture
def many(app, at):
    """More campaigns than a page of the tracker holds: the page links and the table by state."""
    for number in range(55):
        make_campaign(app, f"Campagna {number:02d}", goal_cents=100_000, municipio=number % 9 + 1, nil_id=None)
    at(NOVEMBER)


def test_a_paginated_tracker_is_valid_html(app, client, many, tmp_path):
    files = []
    for number, path in enumerate(PAGED):
        response = client.get(path)
        assert response.status_code == 200 and b'class="pagination' in response.data, path
        target = tmp_path / f"tracker-page-{number}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []


@pytest.mark.browser
def test_a_paginated_tracker_has_no_axe_violations_and_its_links_lead_on(page, live_server, axe_source, many):
    for path in PAGED:
        page.goto(live_server + path)
        assert_accessible(page, axe_source)
    page.goto(live_server + PAGED[0])
    page.get_by_role("navigation", name="Pagine delle campagne").get_by_role("link", name="1", exact=True).click()
    # expect() waits for the page the click leads to; is_visible() would look at the old one.
    expect(
        page.get_by_role("table", name="Cofinanziamento per campagna, bando 2020").get_by_role(
            "link", name="Campagna 00"
        )
    ).to_be_visible()
