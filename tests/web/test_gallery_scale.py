"""The gallery at city scale (issue 16): the same queries and the same rows read whatever the number
of campaigns, at most three queries a page once the per-version lookups are read, the page's query
served by an index on PostgreSQL, and an htmx fragment light enough to send on every filter change."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.clock import ROME
from portal.extensions import db
from portal.models import Campaign, Edition
from tests.campaigns import NOVEMBER, STARTS_AT
from tests.gallery_data import GALLERY, titles
from tests.scaling import analyse, assert_index_served, assert_same_cost, explain

DECEMBER = datetime(2020, 12, 1, tzinfo=ROME)
AUGUST = datetime(2020, 8, 1, tzinfo=ROME)  # a 60-day window over on 30 September
# Featured by staff at both sizes: two open (shown first by default), one upcoming, one over.
FEATURED = {0: datetime(2020, 11, 2, tzinfo=ROME), 5: datetime(2020, 11, 3, tzinfo=ROME)}
FEATURED |= {2: datetime(2020, 11, 4, tzinfo=ROME), 3: datetime(2020, 11, 5, tzinfo=ROME)}
NIL = (46, 76, 35, 1, 20, 5, None)
# Views with at least a page of cards at either size, so the page reads the same rows.
VIEWS = (
    ("default", GALLERY, {}),
    ("filtered", f"{GALLERY}?stato=in_corso&ordina=in_scadenza&edizione=2020", {}),
    ("fragment", f"{GALLERY}?ordina=vicini_soglia", {"HX-Request": "true"}),
)


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


def _row(edition_id: int, number: int) -> dict:
    """Campaign `number`: half of them open, a quarter upcoming, a quarter over, across the Municipi,
    some NIL and the themes, each with a title as long as the real ones; the first few featured."""
    starts = (STARTS_AT, STARTS_AT + timedelta(days=number % 20), DECEMBER, AUGUST)[number % 4]
    starts = min(starts, STARTS_AT) if number % 4 == 1 else starts
    target, confirmed = 800_000, (number * 7_919) % 1_000_000
    return {
        "edition_id": edition_id,
        "slug": f"progetto-{number}",
        "title": f"Laboratorio di quartiere {number}: riparazioni, orti condivisi e doposcuola",
        "summary": "Il progetto in breve.",
        "organisation_name": f"Associazione di promozione sociale {number % 97}",
        "theme": ("ambiente", "cultura", "sport")[number % 3],
        "municipio": number % 9 + 1,
        "nil_id": NIL[number % len(NIL)],
        "goal_cents": 2_000_000,
        "target_cents": target,
        "reserved_cents": 1_200_000,
        "starts_at": starts,
        "ends_at": starts + timedelta(days=60),
        "created_at": starts - timedelta(days=20),
        "published_at": min(starts, STARTS_AT) - timedelta(days=1),
        "confirmed_cents": confirmed,
        "pending_cents": 0,
        "supporters": confirmed // 2_500,
        "target_progress_bp": confirmed * 10_000 // target,
        "featured_at": FEATURED.get(number),
        "demo_estimates": [],
        "source_urls": [],
    }


def bulk_campaigns(app, count: int, start: int = 0) -> None:
    """`count` published campaigns of 2020 in one statement (the edition's budget lifted while they go
    in), and fresh planner statistics."""
    with app.app_context():
        edition = db.session.execute(sa.select(Edition).filter_by(year=2020)).scalar_one()
        budget, edition.budget_cents = edition.budget_cents, None
        db.session.flush()
        db.session.execute(sa.insert(Campaign), [_row(edition.id, n) for n in range(start, start + count)])
        edition.budget_cents = None if budget is None else max(budget, 2_000_000_000)
        db.session.commit()
        analyse()


def _read(client, count_queries, url: str, headers: dict, *, first: bool = False):
    """The page as every request after the first of a data version reads it (kept: the editions,
    the counts, the page's rows); with `first`, as the first one does, reading them all."""
    if not first:
        client.get(url, headers=headers)
    with count_queries() as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return queries, response


def test_a_gallery_page_costs_the_same_at_any_size(app, client, count_queries):
    bulk_campaigns(app, 40)
    # The first request of a data version also reads the counts (a grouped scan, kept per version).
    small_first = {name: _read(client, count_queries, url, headers, first=True) for name, url, headers in VIEWS}
    small = {name: _read(client, count_queries, url, headers) for name, url, headers in VIEWS}
    bulk_campaigns(app, 360, start=40)
    big = {name: _read(client, count_queries, url, headers) for name, url, headers in VIEWS}
    for name, _, _ in VIEWS:
        (few, small_page), (many, big_page) = small[name], big[name]
        with app.app_context():
            assert_same_cost(few, many)
        assert many.count <= 3, (name, many.statements)
        assert small_first[name][1].get_data() == small_page.get_data(), name  # kept, the same page
        assert len(titles(small_page)) == len(titles(big_page)) == 12, name
    # The default order leads with the two featured open campaigns, the latest featured first.
    for page in (small["default"][1], big["default"][1]):
        assert titles(page)[:2] == [_row(0, 5)["title"], _row(0, 0)["title"]]
        assert page.get_data(as_text=True).count('class="campaign-featured"') == 2


def test_the_first_request_of_a_data_version_also_costs_the_same(app, client, count_queries):
    """Counts and editions are read again after every change: with a constant number of queries."""
    shapes = []
    for start, count in ((0, 40), (40, 360)):
        bulk_campaigns(app, count, start=start)
        with count_queries() as queries:
            assert client.get(GALLERY).status_code == 200
        shapes.append([" ".join(statement.split()) for statement in queries.statements])
    assert shapes[0] == shapes[1]
    assert len(shapes[0]) <= 5  # the version and its next boundary, the editions, the counts, the page


def test_a_change_to_the_data_shows_at_once(app, client):
    """The counts are kept per data version: a campaign published since is counted."""
    bulk_campaigns(app, 13)
    assert "13 progetti trovati" in client.get(GALLERY).get_data(as_text=True)
    bulk_campaigns(app, 1, start=13)
    assert "14 progetti trovati" in client.get(GALLERY).get_data(as_text=True)


def test_the_fragment_of_a_full_page_stays_under_8_kb_gzipped(app, client):
    bulk_campaigns(app, 200)
    for query in ("", "?municipio=6", "?ordina=in_scadenza&tema=cultura"):
        response = client.get(GALLERY + query, headers={"HX-Request": "true"})
        body = response.get_data()
        assert b"<html" not in body and len(titles(response)) == 12
        assert len(gzip.compress(body, 6)) <= 8 * 1024, (query, len(gzip.compress(body, 6)))


@pytest.mark.postgres
def test_the_page_query_reads_campaigns_from_an_index(app, client, count_queries):
    bulk_campaigns(app, 4000)
    for _, url, headers in VIEWS:
        queries, _ = _read(client, count_queries, url, headers, first=True)  # the page's rows are kept after
        with app.app_context():
            assert_index_served(explain(queries, containing="row_number()"), "campaign")
