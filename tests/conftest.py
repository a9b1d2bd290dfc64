"""Fixtures shared by every layer of the suite.

The database is the one in TEST_DATABASE_URL (PostgreSQL in `make test`'s second
run) or a temporary SQLite file. Its schema is built once per session by Alembic
from empty, as in production; each test starts from the real editions and events.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import Engine, event, text

from config import TestConfig
from portal import create_app
from portal.demo.seed import seed_editions
from portal.extensions import db, limiter
from tests.html_validation import start_in_background, vnu_errors


def _database_url(tmp_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'portal-test.db'}"


def _on_sqlite() -> bool:
    return not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


# Tests that run in the PostgreSQL pass only: row-locking tests need a database that locks rows;
# the `servers` tests start their own PostgreSQL (and Redis, and app servers), which the SQLite
# pass has no reason to pay for twice.
POSTGRES_PASS_ONLY = ("postgres", "servers")


def _postgres_pass_only(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(name) for name in POSTGRES_PASS_ONLY)


def pytest_collection_modifyitems(config, items):
    """On SQLite, leave out the tests that run in the PostgreSQL pass only."""
    if not _on_sqlite():
        return
    kept = [item for item in items if not _postgres_pass_only(item)]
    deselected = [item for item in items if _postgres_pass_only(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_collection_finish(session):
    """The Nu Html Checker's JVM starts while the tests before the first HTML check run."""
    if any(getattr(getattr(item, "module", None), "vnu_errors", None) is vnu_errors for item in session.items):
        start_in_background()


def pytest_report_header(config):
    url = os.environ.get("TEST_DATABASE_URL") or "sqlite (temporary file)"
    return f"database: {url.split('@')[-1] if '@' in url else url}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory.mktemp("db"))
    uploads = tmp_path_factory.mktemp("uploads")
    app = create_app(
        TestConfig,
        overrides={
            "SQLALCHEMY_DATABASE_URI": url,
            "UPLOAD_DIR": str(uploads),
            "MEDIA_DIR": str(uploads / "media"),
            "KEPT_FILES_DIR": str(uploads / "kept-files"),
        },
    )
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _no_fsync)
        db.session.execute(text("SELECT 1"))
        _drop_everything()
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        _drop_everything()
        db.engine.dispose()


def _no_fsync(dbapi_connection, connection_record) -> None:
    """The suite's SQLite file never has to survive a power cut: commits skip the disk flush
    (every test commits dozens of times). Transactions and locking are unchanged."""
    dbapi_connection.execute("PRAGMA synchronous = OFF")


def _drop_everything() -> None:
    """Leave no trace between runs on a reused server."""
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def data(app):
    """Every test starts from the seeded editions, with the default test clock."""
    app.config["PORTAL_NOW"] = TestConfig.PORTAL_NOW
    # Rate limits are on, as in production, in the pass's own Redis under `make test` (memory with
    # `pytest` alone); each test starts with fresh counters.
    limiter.reset()
    with app.app_context():
        _empty_tables()
        seed_editions()
    yield
    with app.app_context():
        db.session.remove()


def _empty_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Queries:
    """The SQL statements run inside a `count_queries()` block, each with its parameters and the
    number of rows it returned (`rows`, in order; -1 for a statement that returns none)."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.parameters: list[object] = []
        self.rows: list[int] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app) -> Callable[[], AbstractContextManager[Queries]]:
    """`with count_queries() as queries: client.get(...)`, then `queries.count`: every statement sent to
    the database meanwhile, through any engine (the app's, and the data version's reader)."""
    engine = Engine

    @contextmanager
    def counting() -> Iterator[Queries]:
        queries = Queries()

        def record(conn, cursor, statement, parameters, context, executemany):
            queries.statements.append(statement)
            queries.parameters.append(parameters)
            queries.rows.append(-1)

        def returned(conn, cursor, statement, parameters, context, executemany):
            # The rows a SELECT returned: psycopg knows them once executed; SQLite's cursor does
            # not (-1) until fetched, so the count of rows is asserted on PostgreSQL.
            if cursor.description is not None:
                queries.rows[-1] = cursor.rowcount

        event.listen(engine, "before_cursor_execute", record)
        event.listen(engine, "after_cursor_execute", returned)
        try:
            yield queries
        finally:
            event.remove(engine, "before_cursor_execute", record)
            event.remove(engine, "after_cursor_execute", returned)

    return counting


@pytest.fixture
def at(app):
    """Set the portal's clock: `at("2020-06-03T15:45:00+02:00")`."""

    def set_clock(moment: str) -> None:
        app.config["PORTAL_NOW"] = moment

    return set_clock
