"""On PostgreSQL each worker hears of every committed change (LISTEN/NOTIFY) and a visitor without a
session cookie costs no query for the data version (portal/services/version_listener.py); anyone
with a session cookie, who may have just changed something, still reads it from the database."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.services import data_version, version_listener
from tests.campaigns import make_campaign

pytestmark = pytest.mark.postgres

PAGE = "/it/progetti"


@pytest.fixture
def listening(app, monkeypatch):
    monkeypatch.setitem(app.config, "DATA_VERSION_LISTEN", True)
    state = app.extensions["data_version"]
    yield state
    if state.listener is not None:
        state.listener.close()
        state.listener = None


def _etag(client, **cookies) -> str:
    for name, value in cookies.items():
        client.set_cookie(name, value)
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.headers["ETag"]


def _bump_without_news(app) -> None:
    """A commit whose news is still on its way: the number moves, and no NOTIFY is sent."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE data_version SET number = number + 1"))


def _listening_backend(app, state) -> tuple[int, object]:
    pid = state.listener.connection.info.backend_pid
    with app.app_context(), db.engine.connect() as connection:
        changed = connection.execute(
            sa.text("SELECT state_change FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        ).scalar_one()
    return pid, changed


def _eventually(check, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


def test_between_changes_a_visitor_without_a_cookie_costs_the_database_nothing(app, listening):
    first = _etag(app.test_client())
    before = _listening_backend(app, listening)
    etags = {_etag(app.test_client()) for _ in range(5)}
    assert etags == {first}
    # The listening backend ran nothing for those five pages (its last statement is as it was).
    assert _listening_backend(app, listening) == before


def test_a_committed_change_reaches_the_visitors_without_a_cookie(app, listening):
    first = _etag(app.test_client())
    with app.app_context():
        make_campaign(app, title="Orti condivisi al Corvetto")  # a service's commit: it notifies
    with app.app_context():
        committed = data_version.current(cookieless=False).key
    assert committed not in first
    assert _eventually(lambda: committed in _etag(app.test_client()))


def test_someone_with_a_session_cookie_reads_the_database_not_the_news(app, listening):
    first = _etag(app.test_client())
    _bump_without_news(app)
    # The news has not arrived: a visitor without a cookie still gets the version before it...
    assert _etag(app.test_client()) == first
    # ...someone with a session (who may have made that very change) sees the committed one.
    signed = _etag(app.test_client(), **{app.config["SESSION_COOKIE_NAME"]: "someone"})
    assert signed != first
    with app.app_context():
        assert data_version.current(cookieless=False).key in signed


def test_a_news_that_never_comes_holds_the_version_back_at_most_a_second(app, listening):
    first = _etag(app.test_client())
    _bump_without_news(app)
    assert _eventually(lambda: _etag(app.test_client()) != first, seconds=version_listener.READ_AT_LEAST_EVERY + 2)


def test_a_lost_listening_connection_is_replaced_and_no_page_is_older_for_it(app, listening):
    _etag(app.test_client())
    pid, _ = _listening_backend(app, listening)
    with app.app_context(), db.engine.connect() as connection:
        # Waits until the backend is gone (up to 5 s), as a restarted server or a cut connection would be.
        assert connection.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar_one()
    _bump_without_news(app)
    with app.app_context():
        committed = data_version.current(cookieless=False).key
    # The next page reads the committed number from the database, and listens again.
    assert committed in _etag(app.test_client())
    assert _eventually(lambda: _etag(app.test_client()) and listening.listener.connection is not None)
    assert listening.listener.connection.info.backend_pid != pid
