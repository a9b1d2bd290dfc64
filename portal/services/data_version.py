"""The data version: which state of the data, and of the clock, a public page shows.

Every committed change to the data bumps `data_version.number`, in the same transaction as the
change (session events, below); a page also changes by the clock alone when a time boundary
passes (a campaign opens, closes or goes public, an event starts, registrations close, midnight in
Rome). `current()` reads both once per request and gives a `Version` whose `key` changes with
either: the ETags and the shared page cache (portal/http_cache.py) key on it, so a cached page is
never older than the last change, `memo()` keeps per-process values that only change with it, and
`kept_html()` rendered HTML, within a byte budget. On PostgreSQL the bump also sends a NOTIFY and a
visitor without a session cookie gets the number from this worker's listener, with no query
(portal/services/version_listener.py says what that costs in freshness).

The bump runs just before COMMIT, after every row lock a service takes, so it waits for no lock
while holding its own: no deadlock, and PostgreSQL serialises only those last instants of commits.
Changes made outside the ORM session (raw connections, migrations) do not bump: a deployment
changes the build (portal/http_cache.py) instead.
"""

from __future__ import annotations

import secrets
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from cachetools import LRUCache
from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy.orm import ORMExecuteState, Session

from portal import clock
from portal.domain.phase import next_midnight
from portal.domain.registration import changes_before_start
from portal.extensions import db
from portal.models.campaign import Campaign, CampaignUpdate
from portal.models.data_version import DataVersion
from portal.models.edition import Edition
from portal.models.event import Event
from portal.services import version_listener
from portal.services.transaction import in_unit_of_work

T = TypeVar("T")

_CHANGED = "data_version_changed"  # in session.info: this transaction wrote something

# Bump, or create the row. A missing row (a new database, the suite's emptied tables) starts at a
# random number, so a database emptied and filled again never repeats a version it had.
_BUMP = sa.text(
    "INSERT INTO data_version (id, number) VALUES (1, :start) "
    "ON CONFLICT (id) DO UPDATE SET number = data_version.number + 1"
)


@dataclass(frozen=True)
class Version:
    number: int  # the committed data (0: never written)
    boundary: datetime  # the next instant at which a page changes by the clock alone
    fixed_now: datetime | None  # the fixed clock (PORTAL_NOW), when there is one

    @property
    def key(self) -> str:
        """Short, and different for every state of the data and of the clock a page can show."""
        key = f"{self.number:x}.{int(self.boundary.timestamp()):x}"
        if self.fixed_now is not None:
            key += f".{int(self.fixed_now.timestamp() * 1_000_000):x}"
        return key


# --- the bump ------------------------------------------------------------------------------------


def _mark(session: Session) -> None:
    session.info[_CHANGED] = True


def _after_flush(session: Session, flush_context) -> None:
    # Still the flush's own view: what it inserted, deleted, or changed.
    if session.new or session.deleted or any(session.is_modified(obj) for obj in session.dirty):
        _mark(session)


def _do_orm_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _mark(state.session)
    elif isinstance(state.statement, sa.TextClause):
        words = state.statement.text.lstrip().split(None, 1)
        if words and words[0].upper() in {"INSERT", "UPDATE", "DELETE", "MERGE"}:
            _mark(state.session)


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released: the bump waits for the real COMMIT, after every lock
    if session.new or session.dirty or session.deleted:  # what commit() is about to flush
        session.flush()
    if session.info.pop(_CHANGED, False):
        # The connection itself: a statement through the session would mark it again.
        connection = session.connection()
        connection.execute(_BUMP, {"start": secrets.randbelow(1 << 40) + 1})
        if connection.dialect.name == "postgresql":  # news for the listeners, sent at COMMIT
            connection.exec_driver_sql(version_listener.NOTIFY_SQL)


def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction is over (a savepoint's end is not)
        session.info.pop(_CHANGED, None)


def _listen(target) -> None:
    for name, func in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _do_orm_execute),
        ("before_commit", _before_commit),
        ("after_transaction_end", _forget),
    ):
        if not sa.event.contains(target, name, func):
            sa.event.listen(target, name, func)


def init_app(app: Flask) -> None:
    """Listen on the sessions of `db.session` (once per process, whatever the number of apps)."""
    _listen(db.session)
    app.extensions["data_version"] = _State()


# --- the version ---------------------------------------------------------------------------------


class _State:
    """Per app: the next time boundary for (number, fixed clock), and the memo."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.boundary: tuple[int, datetime | None, datetime] | None = None
        self.memo_key: str | None = None
        self.memo: dict[str, object] = {}
        self.reader: sa.Engine | None = None  # `_reader`
        self.listener: version_listener.Listener | None = None  # `_listened_number`
        self.html: LRUCache | None = None  # `kept_html`: (version key, name) -> rendered HTML


def current(cookieless: bool | None = None) -> Version:
    """The version this request shows: one query (the number), plus a few index-served ones when
    the number changed or a boundary passed; for a visitor without a session cookie on PostgreSQL,
    no query at all between changes (portal/services/version_listener.py). Read once per request.
    `cookieless`: said by a caller without a request context (the page cache's WSGI layer)."""
    if "data_version" in g:
        return g.data_version
    if cookieless is None:
        cookieless = has_request_context() and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
    number = _listened_number() if cookieless else None
    if number is None:
        number = _read_number()
    fixed = clock.fixed_now()
    now = fixed or clock.now()
    state: _State = current_app.extensions["data_version"]
    cached = state.boundary
    if cached is not None and cached[0] == number and cached[1] == fixed and now < cached[2]:
        boundary = cached[2]
    else:
        boundary = next_boundary(now)
        state.boundary = (number, fixed, boundary)
    g.data_version = version = Version(number, boundary, fixed)
    return version


_READ = sa.select(DataVersion.number).where(DataVersion.id == 1)


def _read_number() -> int:
    if db.session.registry.has() and db.session().in_transaction():
        # Inside a unit of work: its own connection, and what it sees.
        return db.session.execute(_READ).scalar() or 0
    # Ahead of the view (the page cache's hit path, a 304): one round trip on a connection kept for
    # this alone, in autocommit — no ping, no BEGIN, no ROLLBACK on return, no ORM session. A
    # connection the database dropped is replaced once (SQLAlchemy invalidates it on the error).
    engine = _reader(current_app.extensions["data_version"])
    for attempt in (1, 2):
        try:
            with engine.connect() as connection:
                return connection.exec_driver_sql(_READ_SQL).scalar() or 0
        except sa.exc.DBAPIError as error:
            if attempt == 2 or not error.connection_invalidated:
                raise
    raise AssertionError("unreachable")


# `_READ`, as the driver receives it: nothing to compile on the hit path.
_READ_SQL = "SELECT data_version.number FROM data_version WHERE data_version.id = 1"


def _listened_number() -> int | None:
    """The number as this process's listener knows it, outside a unit of work, when the database
    is PostgreSQL and DATA_VERSION_LISTEN is on; None: read it from the database."""
    if not current_app.config.get("DATA_VERSION_LISTEN"):
        return None
    if db.session.registry.has() and (db.session().in_transaction() or db.session().info.get(_CHANGED)):
        return None
    state: _State = current_app.extensions["data_version"]
    if state.listener is None:
        engine = _reader(state)
        if engine.dialect.name != "postgresql":
            return None
        with state.lock:
            if state.listener is None:
                state.listener = version_listener.Listener(engine, _READ_SQL)
    return state.listener.number()


def _reader(state: _State) -> sa.Engine:
    """The version reader's own small engine (made on first use, so in each worker after a fork)."""
    if state.reader is None:
        with state.lock:
            if state.reader is None:
                state.reader = sa.create_engine(
                    db.engine.url,
                    isolation_level="AUTOCOMMIT",
                    pool_reset_on_return=None,
                    pool_size=2,
                    max_overflow=8,
                )
    return state.reader


def next_boundary(now: datetime) -> datetime:
    """The first instant after `now` at which a public page changes by the clock alone: what the
    rules' homes read (Campaign.is_public / state_of, the edition's dates in domain/phase.py,
    events and domain/registration.py, an update's posting time), or the next midnight in Rome."""
    later = [
        _earliest(Campaign.starts_at, now),
        _earliest(Campaign.ends_at, now),
        _earliest(Campaign.published_at, now),
        _earliest(CampaignUpdate.posted_at, now),
        _earliest(Edition.applications_open_at, now),
        _earliest(Edition.applications_close_at, now),
        _earliest(Edition.ranking_published_at, now),
        _earliest(Event.ends_at, now),
    ]
    offsets = sorted(changes_before_start())
    later += [_earliest(Event.starts_at, now + offset) for offset in offsets]
    row = db.session.execute(sa.select(*later)).one()
    fixed, shifted = row[: len(later) - len(offsets)], row[len(later) - len(offsets) :]
    found = [value for value in fixed if value is not None]
    found += [value - offset for value, offset in zip(shifted, offsets, strict=True) if value is not None]
    return min([*found, next_midnight(now, clock.ROME)])


def _earliest(column, after: datetime):
    return sa.select(sa.func.min(column)).where(column > after).scalar_subquery()


def memo(name: str, compute: Callable[[], T], version: Version | None = None) -> T:
    """`compute()`, kept in this process until the data version changes: for values that only
    change with the data (plain values, dataclasses; never ORM instances a later lazy load needs).

    Inside a unit of work (a service changing data, e.g. rendering an e-mail) `compute()` runs
    and nothing is kept: what it reads may be this transaction's own, uncommitted, changes.
    `compute()` should read through this request's connection (`db.session`, or a
    `Session(bind=db.session.connection())` of its own): a second connection, taken while the
    request holds row locks, can wait for a pool that those very locks keep full.
    `version`: this request's version when the caller has already read it."""
    if in_unit_of_work() or db.session.info.get(_CHANGED):
        return compute()
    key = (version or current()).key
    state: _State = current_app.extensions["data_version"]
    with state.lock:
        if state.memo_key != key:
            state.memo_key, state.memo = key, {}
        if name in state.memo:
            return state.memo[name]  # type: ignore[return-value]
    value = compute()
    with state.lock:
        if state.memo_key == key:
            state.memo[name] = value
    return value


def kept_html(name: str, render: Callable[[], str]) -> str:
    """`render()`, a piece of HTML that only changes with the data version (and what `name` says),
    kept in this process like `memo` — but in a store of at most KEPT_HTML_BYTES, the least recently
    asked out first (older versions' pieces go that way too): a crawler reading every campaign page
    cannot grow a worker without bound."""
    if in_unit_of_work() or db.session.info.get(_CHANGED):
        return render()
    key = (current().key, name)
    state: _State = current_app.extensions["data_version"]
    with state.lock:
        if state.html is None:
            state.html = LRUCache(maxsize=current_app.config["KEPT_HTML_BYTES"], getsizeof=sys.getsizeof)
        html = state.html.get(key)
    if html is not None:
        return html
    html = render()
    if sys.getsizeof(html) <= state.html.maxsize:
        with state.lock:
            state.html[key] = html
    return html
