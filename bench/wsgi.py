"""The portal as gunicorn serves it in production (wsgi.py), plus the benchmark's count of the SQL
statements each request sends, without changing the app: a listener on every engine (the app's,
and the data version's reader of portal/services/data_version.py) and a WSGI
wrapper around the whole call (a page served from the shared cache counts what it really ran).

- `X-Bench-Queries` on every response: the statements sent before the headers (a streamed body's
  later statements are not in it);
- with `X-Bench-Probe: <id>` on the request and BENCH_QUERY_LOG set, the line `<id> <statements>`
  is appended to that file once the body has been sent whole, streamed or not (bench/measure.py).

Each sync worker handles one request at a time, so one counter per process is enough.
"""

from __future__ import annotations

import os

from sqlalchemy import Engine, event

from wsgi import app

_statements = 0
_LOG = os.environ.get("BENCH_QUERY_LOG")


def _count(*_args) -> None:
    global _statements
    _statements += 1


event.listen(Engine, "before_cursor_execute", _count)

_portal = app.wsgi_app


class _Logged:
    """The response's body, passed through; on close, the statements of the whole request."""

    def __init__(self, body, probe: str) -> None:
        self._body, self._probe = body, probe

    def __iter__(self):
        return iter(self._body)

    def close(self) -> None:
        if hasattr(self._body, "close"):
            self._body.close()
        with open(_LOG, "a", encoding="ascii") as log:
            log.write(f"{self._probe} {_statements}\n")


def _counting(environ, start_response):
    global _statements
    _statements = 0

    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Bench-Queries", str(_statements))], exc_info)

    body = _portal(environ, start)
    probe = environ.get("HTTP_X_BENCH_PROBE")
    return _Logged(body, probe) if probe and _LOG else body


app.wsgi_app = _counting
