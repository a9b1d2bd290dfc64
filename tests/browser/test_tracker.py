"""The co-funding tracker and the open-data page, with the demo campaigns: axe at both widths, Nu HTML."""

from __future__ import annotations

import pytest

from portal.demo.campaigns import seed_demo_campaigns
from tests.browser.conftest import assert_accessible
from tests.campaigns import NOVEMBER
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
