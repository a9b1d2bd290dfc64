"""The public pages' HTTP caching (portal/http_cache.py): anonymous visitors get validators, a
shared page cache and compressed pages; nobody ever gets a page older than the last committed
change or a passed time boundary, nor a page, or a message, meant for someone else."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import brotli
import pytest
import sqlalchemy as sa
from flask import Flask, Response, g
from flask_wtf.csrf import generate_csrf

from config import TestConfig
from portal import create_app, http_cache
from portal.extensions import db
from portal.models import Campaign
from portal.services import data_version
from portal.services.campaigns import campaign_updates
from portal.services.evaluation import selection
from tests.accounts import make_user, sign_in, user_by_email
from tests.campaigns import NOVEMBER, NOVEMBER_AT, STARTS_AT, confirm, make_campaign, pledge
from tests.servers import Redis

PAGE = "/it/progetti/lab-barona"
GALLERY = "/it/progetti"
STAFF = "giulia@comune.milano.example"


def cached_app(app: Flask, url: str = "memory://") -> Flask:
    """Another app server on the suite's database, with the page cache on."""
    return create_app(
        TestConfig,
        overrides={
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"],
            "KEPT_FILES_DIR": app.config["KEPT_FILES_DIR"],
            "PAGE_CACHE_URL": url,
        },
    )


def set_clock(moment: str, *apps: Flask) -> None:
    for each in apps:
        each.config["PORTAL_NOW"] = moment


@pytest.fixture
def server(app, data) -> Iterator[Flask]:
    server = cached_app(app)
    set_clock(NOVEMBER, app, server)
    yield server
    with server.app_context():
        db.session.remove()
        db.engine.dispose()


def fresh(app: Flask, path: str, **headers) -> bytes:
    """The page as the suite's app renders it, with no page cache."""
    return app.test_client().get(path, headers=headers).data


def test_a_repeated_anonymous_request_is_served_from_the_cache_with_one_query(app, server):
    make_campaign(app)
    client = server.test_client()
    first = client.get(PAGE)
    assert first.status_code == 200
    assert first.headers["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert first.headers["ETag"].startswith('W/"')
    assert {"HX-Request", "Accept-Encoding"} <= set(first.vary)
    with queries_on(server) as statements:
        second = client.get(PAGE)
    assert len(statements) == 1 and "data_version" in statements[0]  # the version, then the stored page
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_a_confirmed_pledge_a_published_campaign_and_an_update_show_on_the_next_request(app, server):
    barona = make_campaign(app)
    make_campaign(app, "Orti in cortile", published=False)
    make_user(app, STAFF)
    client = server.test_client()
    before = client.get(PAGE)
    gallery = client.get(GALLERY).data
    assert client.get(PAGE).data == before.data  # stored

    confirm(app, pledge(app, barona, 40_000), 40_000)
    after = client.get(PAGE)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.data != before.data
    assert after.data == fresh(app, PAGE)

    with app.app_context():
        orti = db.session.execute(db.select(Campaign).filter_by(slug="orti-in-cortile")).scalar_one()
        selection.publish(orti, user_by_email(app, STAFF), NOVEMBER_AT - timedelta(hours=1))
    assert b"Orti in cortile" not in gallery
    assert b"Orti in cortile" in client.get(GALLERY).data
    assert client.get(GALLERY).data == fresh(app, GALLERY)

    with app.app_context():
        campaign_updates.post_update(
            barona, "Primo mese", "<p>Abbiamo aperto.</p>", user_by_email(app, STAFF), NOVEMBER_AT
        )
    page = client.get(PAGE).data
    assert b"Primo mese" in page
    assert page == fresh(app, PAGE)


def test_a_matching_if_none_match_is_a_304_that_costs_only_the_version_read(app, server):
    make_campaign(app)
    client = server.test_client()
    etag = client.get(PAGE).headers["ETag"]
    with queries_on(server) as statements:
        again = client.get(PAGE, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert len(statements) == 1 and "data_version" in statements[0]
    assert client.get(PAGE, headers={"If-None-Match": 'W/"another"'}).status_code == 200


def test_without_a_page_cache_a_304_still_runs_no_view(app, data, at, client, count_queries):
    """The suite's app keeps no pages: the validator alone spares the rendering."""
    at(NOVEMBER)
    make_campaign(app)
    etag = client.get(PAGE).headers["ETag"]
    with count_queries() as queries:
        again = client.get(PAGE, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert queries.count == 1 and "data_version" in queries.statements[0]


@contextmanager
def queries_on(server: Flask) -> Iterator[list[str]]:
    """The statements the second server sends meanwhile, through its engine or its data version's
    reader (count_queries listens on every engine of the process)."""
    with server.app_context():
        engines = (db.engine, data_version._reader(server.extensions["data_version"]))
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    for engine in engines:
        sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            sa.event.remove(engine, "before_cursor_execute", record)


def test_a_campaign_opening_changes_the_etag_and_the_page(app, server):
    make_campaign(app, starts_at=STARTS_AT + timedelta(days=30))  # opens on 29 November
    client = server.test_client()
    upcoming = client.get(PAGE)
    set_clock("2020-11-28T23:59:00+01:00", app, server)
    assert client.get(PAGE).data == fresh(app, PAGE)
    set_clock("2020-11-29T00:00:00+01:00", app, server)
    opened = client.get(PAGE)
    assert opened.headers["ETag"] != upcoming.headers["ETag"]
    assert opened.data != upcoming.data
    assert opened.data == fresh(app, PAGE)


def test_a_time_boundary_changes_the_version_on_the_real_clock(app, server):
    """Without a fixed clock the key holds the next boundary: the campaign's end, then midnight."""
    barona = make_campaign(app)
    with server.test_request_context():
        ends_at = db.session.get(Campaign, barona).ends_at
        assert data_version.next_boundary(ends_at - timedelta(minutes=1)) == ends_at
        assert data_version.next_boundary(ends_at) > ends_at


def test_signed_in_pages_are_never_stored_nor_served_from_the_cache(app, server):
    make_campaign(app)
    make_user(app, STAFF)
    anonymous = server.test_client()
    cached = anonymous.get(GALLERY)
    staff = server.test_client()
    sign_in(staff, server, STAFF)
    signed_in = staff.get(GALLERY)
    assert signed_in.headers["Cache-Control"] == "no-store"
    assert "ETag" not in signed_in.headers
    assert signed_in.data != cached.data  # the staff's own header, not the stored page
    assert anonymous.get(GALLERY).data == cached.data
    # and a signed-in person's If-None-Match is never answered with the anonymous validator
    assert staff.get(GALLERY, headers={"If-None-Match": cached.headers["ETag"]}).status_code == 200


def test_a_flash_is_shown_to_its_owner_once_and_to_nobody_else(app, server):
    make_campaign(app)
    client = server.test_client()
    other = server.test_client()
    other.get(GALLERY)  # stored
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Messaggio per Anna")]
    assert "Messaggio per Anna" in client.get(GALLERY).get_data(as_text=True)
    assert "Messaggio per Anna" not in client.get(GALLERY).get_data(as_text=True)
    assert "Messaggio per Anna" not in other.get(GALLERY).get_data(as_text=True)


def _stored_after(server: Flask, change, query: str) -> bool:
    """Whether a gallery answer that went through `change` is stored."""
    with server.test_request_context(f"{GALLERY}?{query}"):
        server.preprocess_request()
        response = change(Response("<p>galleria</p>", mimetype="text/html"))
        http_cache.mark_and_store(response)
        cache = server.extensions["http_cache"].cache
        return cache.get(g.http_validator.cache_key) is not None


def test_a_page_that_sets_a_cookie_or_carries_a_csrf_token_is_never_stored(app, server):
    def with_cookie(response):
        response.set_cookie("scelta", "1")
        return response

    def with_token(response):
        generate_csrf()
        return response

    assert _stored_after(server, lambda response: response, "tema=ambiente")
    assert not _stored_after(server, with_cookie, "tema=cultura")
    assert not _stored_after(server, with_token, "tema=sport")


def test_pages_arrive_compressed_when_asked_and_plain_otherwise(app, server):
    make_campaign(app)
    client = server.test_client()
    plain = client.get(GALLERY)
    assert "Content-Encoding" not in plain.headers
    for _ in range(2):  # rendered, then stored
        zipped = client.get(GALLERY, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.data) == plain.data
        assert zipped.headers["ETag"] != plain.headers["ETag"]
    squeezed = client.get(GALLERY, headers={"Accept-Encoding": "gzip, br"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.data) == plain.data
    assert client.get(GALLERY).data == plain.data


def test_the_htmx_fragment_and_the_page_are_stored_apart(app, server):
    make_campaign(app)
    client = server.test_client()
    page = client.get(GALLERY)
    fragment = client.get(GALLERY, headers={"HX-Request": "true"})
    assert fragment.data != page.data
    assert client.get(GALLERY, headers={"HX-Request": "true"}).data == fragment.data
    assert client.get(GALLERY).data == page.data
    assert "HX-Request" in fragment.vary


def test_two_servers_agree_a_change_through_one_retires_the_others_page(app, server):
    barona = make_campaign(app)
    other = cached_app(app)
    set_clock(NOVEMBER, other)
    try:
        a, b = server.test_client(), other.test_client()
        before = a.get(PAGE).data
        assert b.get(PAGE).data == before
        confirm(other, pledge(other, barona, 40_000), 40_000)
        assert a.get(PAGE).data != before
        assert a.get(PAGE).data == b.get(PAGE).data == fresh(app, PAGE)
    finally:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def redis() -> Iterator[Redis]:
    server = Redis()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def redis_servers(app, data, redis) -> Iterator[tuple[int, Flask, Flask]]:
    """Lab Barona, and two app servers sharing one Redis page cache."""
    barona = make_campaign(app)
    a, b = cached_app(app, redis.url), cached_app(app, redis.url)
    set_clock(NOVEMBER, app, a, b)
    yield barona, a, b
    for each in (a, b):
        with each.app_context():
            db.engine.dispose()


@pytest.mark.servers
def test_in_redis_two_servers_share_pages_and_a_change_retires_them(app, redis, redis_servers):
    barona, a, b = redis_servers
    first = a.test_client().get(PAGE)
    assert int(redis.command("DBSIZE")[1:].strip()) >= 1  # stored in Redis
    assert b.test_client().get(PAGE).data == first.data
    confirm(a, pledge(a, barona, 40_000), 40_000)
    after = b.test_client().get(PAGE)
    assert after.data != first.data
    assert after.data == fresh(app, PAGE) == a.test_client().get(PAGE).data


@pytest.mark.servers
def test_in_redis_each_server_keeps_its_most_asked_pages_near_and_a_change_retires_them(app, redis, redis_servers):
    barona, a, b = redis_servers
    first = a.test_client().get(PAGE)
    assert b.test_client().get(PAGE).data == first.data  # read from Redis, and kept by b
    redis.command("FLUSHDB")
    with queries_on(b) as statements:
        again = b.test_client().get(PAGE)
    assert again.data == first.data
    assert len(statements) == 1 and "data_version" in statements[0]  # no view ran, Redis was empty
    confirm(a, pledge(a, barona, 40_000), 40_000)
    after = b.test_client().get(PAGE)
    assert after.data != first.data
    assert after.data == fresh(app, PAGE)
