"""The open-data exports are kept as files per data version (portal/kept_files.py): the first
request streams the file and keeps a copy, the next ones are sent that copy without a query, a
change makes a new one (and the old copy goes), and a download cut short leaves nothing behind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from portal import kept_files
from tests.campaigns import NOVEMBER, confirm, make_campaign, pledge

CSV = "/dati/progetti.csv"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture(autouse=True)
def _no_copies(app):
    """Each test starts without the copies earlier tests kept (of data versions long gone)."""
    shutil.rmtree(app.config["KEPT_FILES_DIR"], ignore_errors=True)


def copies(app) -> list[str]:
    folder = Path(app.config["KEPT_FILES_DIR"])
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_the_second_download_is_the_kept_copy_and_costs_no_query_but_the_version(app, client, count_queries):
    make_campaign(app)
    first = client.get(CSV)
    assert first.is_streamed
    body = first.get_data()
    assert [name.split(".")[0] for name in copies(app)] == ["progetti-csv"]
    with count_queries() as queries:
        second = client.get(CSV)
        again = second.get_data()
    assert again == body and b"Lab Barona" in body
    assert len(queries.statements) == 1 and "data_version" in queries.statements[0]
    assert second.headers["Content-Length"] == str(len(body))
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Disposition"] == 'inline; filename="crowdfunding-civico-progetti.csv"'


def test_a_change_makes_a_new_copy_and_the_old_one_goes(app, client, monkeypatch):
    monkeypatch.setattr(kept_files, "STALE_AFTER", 0)
    barona = make_campaign(app)
    before = client.get(CSV).get_data()
    [old] = copies(app)
    confirm(app, pledge(app, barona, 500_00), 500_00)
    after = client.get(CSV).get_data()
    assert after != before
    assert client.get(CSV).get_data() == after
    [new] = copies(app)
    assert new != old


def test_a_download_cut_short_leaves_no_copy(app, client):
    make_campaign(app)
    response = client.get(CSV, buffered=False)
    next(iter(response.response))  # the header row, then the visitor goes
    response.close()
    assert copies(app) == []
    assert client.get(CSV).get_data().count(b"\r\n") == 2  # the whole file, from the database
    assert len(copies(app)) == 1
