"""The data version without a round trip, on PostgreSQL: each worker keeps one connection that
LISTENs on `data_version`, and every commit that bumps the version NOTIFYs it (in the same
transaction, so the news leaves only once the change is committed, in commit order).

A request asks `Listener.number()`: a zero-timeout `select()` on that connection's socket says
whether news came since the last request (a system call, no query); only then is the number read
again, on the same connection. Between changes, thousands of page views read the version from
memory instead of PostgreSQL.

What it costs: the news takes the time PostgreSQL needs to pass it on (well under a millisecond on
one host), so a visitor *without a session cookie* can, in that instant, get the page as it was just
before a change. Anyone who changed something carries the session cookie (every form has its CSRF
token there), and their requests read the number from the database as before
(portal/services/data_version.py `current`). A lost connection is given up at once (the number is
read from the database meanwhile) and made again on a later request; and the number is read again
at least once a second anyway, so a connection that died without a word cannot keep an old one.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time

import psycopg
import sqlalchemy as sa
from psycopg.pq import ConnStatus

log = logging.getLogger(__name__)

CHANNEL = "data_version"
# Sent by the bump (portal/services/data_version.py), inside the committing transaction.
NOTIFY_SQL = f"NOTIFY {CHANNEL}"
RETRY_SECONDS = 5.0  # after a failed connection, how long the database alone answers
# The number is read again at least this often, news or not: a connection that died without a word
# (a network cut) leaves a version at most this old.
READ_AT_LEAST_EVERY = 1.0


class Listener:
    """One per app and process (made again after a fork): the version as the last news left it."""

    def __init__(self, engine: sa.Engine, read_sql: str) -> None:
        self.engine = engine
        self.read_sql = read_sql  # the number's query
        self.connection = None  # psycopg.Connection, autocommit, LISTENing
        self.pid: int | None = None
        self.stale = True  # news came (or nothing was read yet): read the number once more
        self.known: int | None = None
        self.read_at = 0.0  # time.monotonic() of the last read
        self.retry_at = 0.0
        self.lock = threading.Lock()  # one connection, whatever the worker's threads

    def number(self) -> int | None:
        """The committed version, or None when the listening connection is not there (the caller
        reads the database itself)."""
        with self.lock:
            return self._number()

    def _number(self) -> int | None:
        if (self.connection is None or self.pid != os.getpid()) and not self._connect():
            return None
        connection = self.connection
        try:
            if select.select([connection.pgconn.socket], [], [], 0)[0]:
                pgconn = connection.pgconn
                pgconn.consume_input()  # raises if the server closed the connection
                if pgconn.status != ConnStatus.OK:
                    raise psycopg.OperationalError("the listening connection was closed")
                while pgconn.notifies() is not None:
                    pass
                # News, or the server's last words before it closes the connection: read again
                # (on a closed connection the read fails, and the database answers instead).
                self.stale = True
            now = time.monotonic()
            if self.stale or now >= self.read_at + READ_AT_LEAST_EVERY:
                # Cleared first: news that comes with the answer marks it stale again (_heard).
                self.stale, self.read_at = False, now
                row = connection.execute(self.read_sql).fetchone()
                self.known = row[0] if row else 0
            return self.known
        except Exception:  # the connection is gone: the database answers until it is made again
            log.warning("data version listener lost its connection", exc_info=True)
            self.close()
            return None

    def _connect(self) -> bool:
        if time.monotonic() < self.retry_at:
            return False
        self.close()
        try:
            # A connection of the version reader's engine (autocommit), taken out of its pool.
            pooled = self.engine.raw_connection()
            connection = pooled.driver_connection
            pooled.detach()  # ours now: the pool forgets it
            connection.add_notify_handler(self._heard)  # news that arrives with a query's answer
            connection.execute(f"LISTEN {CHANNEL}")
        except Exception:
            log.warning("data version listener cannot connect", exc_info=True)
            self.retry_at = time.monotonic() + RETRY_SECONDS
            return False
        self.connection, self.pid, self.stale = connection, os.getpid(), True
        return True

    def _heard(self, _notify) -> None:
        self.stale = True

    def close(self) -> None:
        connection, self.connection = self.connection, None
        self.stale = True
        if connection is not None and self.pid == os.getpid():
            try:
                connection.close()
            except Exception:  # already gone
                log.debug("closing the listener's connection", exc_info=True)
