"""The open data, the sitemap and the feed at city scale (issue 16): the files streamed with the same
content as when built record by record, the sitemap an index of chunks read by id range, the feed read
backwards from its indexes, each costing the same queries at any size."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from portal.domain.pledge import PledgeStatus
from portal.extensions import db
from portal.models import Campaign, CampaignUpdate, Edition, Pledge
from portal.services.campaigns import opendata, syndication
from tests.campaigns import NOVEMBER, NOVEMBER_AT, STARTS_AT, make_campaign
from tests.scaling import analyse, assert_index_served, assert_same_cost, explain, on_postgres

SITE = "http://127.0.0.1:5000"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def bulk(app, count: int, start: int = 0) -> list[int]:
    """`count` campaigns of 2020 and 2016 (one in nine not published), each with an update, and a
    refunded pledge for one in seven; the ids of the published ones."""
    with app.app_context():
        editions = db.session.scalars(sa.select(Edition).where(Edition.year.in_((2016, 2020)))).all()
        budgets = {edition.id: edition.budget_cents for edition in editions}
        for edition in editions:  # the budget's trigger adds up the edition for every row: lifted meanwhile
            edition.budget_cents = None
        db.session.flush()
        rows = []
        for number in range(start, start + count):
            starts = STARTS_AT - timedelta(days=number % 200)
            rows.append(
                {
                    "edition_id": editions[number % 2].id,
                    "slug": f"bulk-{number}",
                    "title": f"=Campagna {number}" if number % 11 == 0 else f"Campagna, {number}",
                    "summary": "In breve.",
                    "organisation_name": "Org",
                    "theme": "cultura",
                    "municipio": number % 9 + 1,
                    "nil_id": (46, 76, None)[number % 3],
                    "goal_cents": 1_000_000 + number,
                    "target_cents": 400_000,
                    "reserved_cents": 1_000 + number % 7,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(days=60),
                    "created_at": starts - timedelta(days=20),
                    "published_at": None if number % 9 == 4 else starts - timedelta(days=1, minutes=number % 997),
                    "confirmed_cents": number * 13,
                    "pending_cents": 0,
                    "supporters": number % 4,
                    "target_progress_bp": 0,
                    "demo_estimates": ["goal_cents"] if number % 5 == 0 else [],
                    "source_urls": ["https://example.org/a", "https://example.org/b"] if number % 6 == 0 else [],
                }
            )
        db.session.execute(sa.insert(Campaign), rows)
        ids = dict(db.session.execute(sa.select(Campaign.slug, Campaign.id).where(Campaign.slug.like("bulk-%"))).all())
        db.session.execute(
            sa.insert(CampaignUpdate),
            [
                {
                    "campaign_id": ids[f"bulk-{number}"],
                    "title": f"Notizia {number}",
                    "body": "Testo.",
                    "posted_at": STARTS_AT + timedelta(hours=number % 300),
                }
                for number in range(start, start + count)
            ],
        )
        db.session.execute(
            sa.insert(Pledge),
            [
                {
                    "campaign_id": ids[f"bulk-{number}"],
                    "amount_cents": 2_500 + number,
                    "reference": f"CCR{number:08d}",
                    "email": "sostenitore@example.org",
                    "status": PledgeStatus.REFUNDED,
                    "consent_at": NOVEMBER_AT,
                    "created_at": NOVEMBER_AT,
                }
                for number in range(start, start + count, 7)
            ],
        )
        for edition in editions:
            edition.budget_cents = budgets[edition.id]
        db.session.commit()
        return [ids[f"bulk-{number}"] for number in range(start, start + count) if number % 9 != 4]


def record_by_record(app, moment: datetime) -> tuple[str, str]:
    """The CSV and the JSON as they were built before streaming: every record in memory, then the text."""
    with app.test_request_context():
        rows = opendata.records(moment)
        return opendata.to_csv(rows), opendata.to_json(rows, moment)


# --- open data ---------------------------------------------------------------------------------


def test_the_streamed_files_are_the_files_built_record_by_record(app, client, data, at, monkeypatch):
    monkeypatch.setattr(opendata, "BATCH", 7)  # several batches, the last one short
    bulk(app, 40)
    make_campaign(app, '=HYPERLINK("http://x.example","Vinci")', slug="formula", organisation='@Org, "ACME"')
    at(NOVEMBER)
    old_csv, old_json = record_by_record(app, NOVEMBER_AT)
    response = client.get("/dati/progetti.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Content-Disposition"] == 'inline; filename="crowdfunding-civico-progetti.csv"'
    assert response.content_type == "text/csv; charset=utf-8; header=present"
    chunks = [chunk.decode() if isinstance(chunk, bytes) else chunk for chunk in response.response]
    assert len(chunks) >= 37 // 7 + 1  # the header, then a chunk per batch: never the whole file at once
    body = "".join(chunks)
    assert body == old_csv
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert len(rows) == 36 + 1
    formula = next(row for row in rows if row["slug"] == "formula")
    assert formula["title"].startswith("'=HYPERLINK") and formula["organisation"] == '\'@Org, "ACME"'
    assert next(row for row in rows if row["slug"] == "bulk-0")["title"] == "'=Campagna 0"
    assert {row["refunded_eur"] for row in rows} > {"0.00", "25.00"}

    response = client.get("/dati/progetti.json")
    assert response.status_code == 200 and response.is_streamed and response.mimetype == "application/json"
    body = response.get_data(as_text=True)
    assert body == old_json
    assert json.loads(body)["metadata"]["count"] == len(json.loads(body)["projects"]) == 37


def test_an_empty_data_set_streams_the_same_files(app, client, data, at):
    at(NOVEMBER)
    old_csv, old_json = record_by_record(app, NOVEMBER_AT)
    assert client.get("/dati/progetti.csv").get_data(as_text=True) == old_csv
    assert client.get("/dati/progetti.json").get_data(as_text=True) == old_json
    assert json.loads(old_json)["projects"] == []


def test_the_files_cost_the_same_queries_at_any_size(app, client, data, at, count_queries):
    bulk(app, 30)
    at(NOVEMBER)
    with app.app_context():
        analyse()
    with count_queries() as small:
        small_files = [client.get(path).data for path in ("/dati/progetti.csv", "/dati/progetti.json")]
    bulk(app, 600, start=30)
    with app.app_context():
        analyse()
    with count_queries() as big:
        big_files = [client.get(path).data for path in ("/dati/progetti.csv", "/dati/progetti.json")]
    assert [s for s in small.statements] == [s for s in big.statements]  # the rows grow: they are the file
    assert all(len(b) > 10 * len(s) for s, b in zip(small_files, big_files, strict=True))
    reads = [s for s in big.statements if "FROM campaign JOIN edition" in s]
    assert len(reads) == 2  # once per file: the campaigns, read in batches from one cursor


# --- sitemap -----------------------------------------------------------------------------------


def sitemaps(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    index = ET.fromstring(response.data)
    assert index.tag == f"{SITEMAP}sitemapindex"
    return [entry.find(f"{SITEMAP}loc").text.removeprefix(SITE) for entry in index.findall(f"{SITEMAP}sitemap")]


def addresses(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    urlset = ET.fromstring(response.data)
    assert urlset.tag == f"{SITEMAP}urlset"
    return [url.find(f"{SITEMAP}loc").text for url in urlset.findall(f"{SITEMAP}url")]


def test_the_sitemap_index_lists_every_public_campaign_once_across_its_chunks(app, client, data, at, monkeypatch):
    monkeypatch.setattr(syndication, "SITEMAP_CHUNK", 25)
    public = bulk(app, 120)
    at(NOVEMBER)
    maps = sitemaps(client)
    assert maps[0] == "/sitemap-pagine.xml" and all(m.startswith("/sitemap-progetti-") for m in maps[1:])
    assert len(maps) - 1 == max(public) // 25 + 1
    listed = [address for path in maps[1:] for address in addresses(client, path)]
    with app.app_context():
        slugs = db.session.scalars(sa.select(Campaign.slug).where(Campaign.id.in_(public))).all()
    assert sorted(listed) == sorted(f"{SITE}/{lang}/progetti/{slug}" for slug in slugs for lang in ("it", "en"))
    assert f"{SITE}/it/progetti/bulk-4" not in listed  # not published
    assert f"{SITE}/it/progetti" in addresses(client, maps[0])
    assert client.get("/robots.txt").get_data(as_text=True).count(f"Sitemap: {SITE}/sitemap.xml\n") == 1
    assert client.get("/sitemap-progetti-99999999999.xml").status_code == 404


def test_a_slug_that_needs_escaping_has_the_address_url_for_gives(app, client, data, at):
    make_campaign(app, "Caffè", slug="caffè-sociale")
    at(NOVEMBER)
    listed = [address for path in sitemaps(client)[1:] for address in addresses(client, path)]
    assert f"{SITE}/it/progetti/caff%C3%A8-sociale" in listed


def test_the_sitemaps_cost_the_same_at_any_size(app, client, data, at, count_queries, monkeypatch):
    monkeypatch.setattr(syndication, "SITEMAP_CHUNK", 40)
    public = bulk(app, 120)
    at(NOVEMBER)
    chunk = f"/sitemap-progetti-{min(public) // 40 + 1}.xml"  # a chunk inside the first campaigns
    with app.app_context():
        analyse()
    with count_queries() as small:
        for path in ("/sitemap.xml", "/sitemap-pagine.xml", chunk):
            assert client.get(path).status_code == 200
    bulk(app, 1_200, start=120)
    with app.app_context():
        analyse()
    with count_queries() as big:
        for path in ("/sitemap.xml", "/sitemap-pagine.xml", chunk):
            assert client.get(path).status_code == 200
    with app.app_context():
        assert_same_cost(small, big)
        if on_postgres():
            assert_index_served(explain(big, containing="FROM campaign \nWHERE campaign.id >="), "campaign")


# --- feed --------------------------------------------------------------------------------------


def test_the_feed_costs_the_same_at_any_size(app, client, data, at, count_queries):
    bulk(app, 120)
    at(NOVEMBER)
    with app.app_context():
        analyse()
    with count_queries() as small:
        first = client.get("/it/progetti/feed.atom")
    bulk(app, 1_200, start=120)
    with app.app_context():
        analyse()
    with count_queries() as big:
        second = client.get("/it/progetti/feed.atom")
    with app.app_context():
        assert_same_cost(small, big)
    entries = ET.fromstring(second.data).findall(f"{ATOM}entry")
    assert len(entries) == len(ET.fromstring(first.data).findall(f"{ATOM}entry")) == syndication.FEED_SIZE
    feed_queries = [s for s in big.statements if "FROM campaign" in s and "data_version" not in s]
    assert len(feed_queries) <= 3


@pytest.mark.postgres
def test_the_feed_reads_backwards_from_its_indexes(app, client, data, at, count_queries):
    """EXPLAIN on PostgreSQL, with enough rows for the planner to choose: the new campaigns from
    ix_campaign_published_at, the updates from ix_campaign_update_posted_at, no sort of either table."""
    bulk(app, 4_000)
    at(NOVEMBER)
    with app.app_context():
        analyse()
    with count_queries() as queries:
        assert client.get("/it/progetti/feed.atom").status_code == 200
    with app.app_context():
        campaigns = explain(queries, containing="ORDER BY campaign.published_at DESC")
        updates = explain(queries, containing="ORDER BY campaign_update.posted_at DESC")
    for plan, table, index in (
        (campaigns, "campaign", "ix_campaign_published_at"),
        (updates, "campaign_update", "ix_campaign_update_posted_at"),
    ):
        assert_index_served(plan, table)
        text = json.dumps(plan)
        assert f'"Index Name": "{index}"' in text and '"Scan Direction": "Backward"' in text, text[:3000]
        assert '"Node Type": "Sort"' not in text, text[:3000]
