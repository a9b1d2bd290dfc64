"""URL converters that refuse, with a 404, path values the database cannot store or compare.

Every path parameter reaches a query sooner or later, and two families of values make
PostgreSQL (or SQLite) fail instead of finding nothing:

- **NUL bytes** (``%00``) in a string: PostgreSQL's text cannot hold them, so a lookup by slug or
  token with one raises instead of matching no row;
- **integers out of range** in ``<int:…>``: every id and year is a PostgreSQL ``integer``
  (at most 2**31 − 1); SQLite cannot even bind a Python int beyond 2**63 − 1.

`init_app` puts these in place of Werkzeug's ``default``/``string``, ``path`` and ``int``
converters, so every rule, including rules added later, gets them without saying so. It must run
before any blueprint is registered: a rule binds its converters when it is added.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, request, url_for
from werkzeug.routing import IntegerConverter, Map, PathConverter, UnicodeConverter, ValidationError

# The largest value of PostgreSQL's `integer`, the type of every id and year in the schema.
MAX_DATABASE_INTEGER = 2**31 - 1


def refuse_nul(value: str) -> str:
    """The value, unless it holds a NUL byte (no row can match it: the database cannot store one)."""
    if "\x00" in value:
        raise ValidationError()
    return value


class StringConverter(UnicodeConverter):
    """One path segment, as Werkzeug's default converter, without NUL bytes."""

    def to_python(self, value: str) -> str:
        return refuse_nul(value)


class SafePathConverter(PathConverter):
    """Segments with slashes, without NUL bytes. (Flask's own static rule is made before `init_app`
    runs and keeps Werkzeug's converter: it only looks for a file on disk, and finds none with a NUL.)"""

    def to_python(self, value: str) -> str:
        return refuse_nul(value)


class DatabaseIntegerConverter(IntegerConverter):
    """A whole number that fits PostgreSQL's ``integer``; larger ones match no rule (404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - Werkzeug's name
        super().__init__(map, *args, **kwargs)
        lowest = -MAX_DATABASE_INTEGER - 1 if self.signed else 0
        self.min = lowest if self.min is None else max(self.min, lowest)
        self.max = MAX_DATABASE_INTEGER if self.max is None else min(self.max, MAX_DATABASE_INTEGER)


def init_app(app: Flask) -> None:
    converters = app.url_map.converters
    converters["default"] = converters["string"] = StringConverter
    converters["path"] = SafePathConverter
    converters["int"] = DatabaseIntegerConverter
    app.jinja_env.globals["url_with_query"] = url_with_query


def query_int(
    args: Mapping[str, str],
    name: str,
    default: int | None = None,
    *,
    minimum: int = 0,
    maximum: int = MAX_DATABASE_INTEGER,
) -> int | None:
    """A whole number from a query string, within `minimum`..`maximum` (by default what a database
    `integer` holds); `default` when absent, malformed (a sign, an exponent, 5,000 digits, a NUL) or
    out of range. Every view that reads a number from `request.args` reads it here."""
    raw = (args.get(name) or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(maximum)):
        return default
    value = int(raw)
    return value if minimum <= value <= maximum else default


def url_with_query(endpoint: str, **values: Any) -> str:
    """The URL of `endpoint` with the current request's query string passed on as it was sent
    (a filtered list's CSV, a redirect). Never through `url_for`'s keywords: there `_scheme`,
    `_method` or the endpoint's own parameter names (`?year=…`) would break the build."""
    target = url_for(endpoint, **values)
    query = request.query_string.decode("latin-1")
    return f"{target}?{query}" if query else target
