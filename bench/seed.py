"""Write the synthetic city (bench/city.py) into the portal's database, through its real schema.

    PORTAL_ENV=… DATABASE_URL=… python -m bench.seed --size city

The database has been migrated (`flask db upgrade`) and holds no edition of the city's years.
Rows go in with PostgreSQL's COPY (SQLAlchemy Core's executemany on SQLite), in one transaction,
with every constraint and trigger of the schema in force; then the sequences follow the ids
written and the tables are analysed, so the planner knows the city's size.
"""

from __future__ import annotations

import argparse
import enum
import json
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from itertools import islice

import sqlalchemy as sa

from bench.city import SEED, SIZES, City, build
from portal.extensions import db

BATCH = 5_000


def _plain(value):
    """A value as COPY takes it: enums by name (the schema stores `native_enum=False` names)."""
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def _check_columns(table: sa.Table, columns: list[str]) -> None:
    missing = [
        c.name
        for c in table.columns
        if c.name not in columns and not c.nullable and c.server_default is None and not c.primary_key
    ]
    if missing:
        raise ValueError(f"{table.name}: the rows lack {', '.join(missing)}")


def write(conn: sa.Connection, table: sa.Table, rows: Iterable[dict]) -> int:
    """Insert the rows (dicts with the same keys) into the table; how many."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    columns = list(first)
    _check_columns(table, columns)
    everything: Iterator[dict] = _chain(first, rows)
    written = 0
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()
        names = ", ".join(f'"{c}"' for c in columns)
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in everything:
                copy.write_row([_plain(row[c]) for c in columns])
                written += 1
        return written
    while batch := list(islice(everything, BATCH)):
        conn.execute(table.insert(), batch)
        written += len(batch)
    return written


def _chain(first: dict, rest: Iterator[dict]) -> Iterator[dict]:
    yield first
    yield from rest


def store(conn: sa.Connection, city: City) -> dict[str, int]:
    """Write every table of the city; rows written per table."""
    tables = db.metadata.tables
    counts = {name: write(conn, tables[name], rows) for name, rows in city.tables.items()}
    counts["pledge"] = write(conn, tables["pledge"], city.pledges())
    if conn.dialect.name == "postgresql":
        for name in counts:
            conn.execute(
                sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM \"{name}\"))")
            )
    return counts


def first_free_id(conn: sa.Connection) -> int:
    """Above every id of the tables the city writes: it goes beside whatever is there."""
    names = [
        "edition",
        "event",
        "registrant",
        "registration",
        "campaign",
        "campaign_reward",
        "campaign_update",
        "pledge",
    ]
    highest = conn.execute(sa.text(" UNION ALL ".join(f'SELECT max(id) FROM "{n}"' for n in names))).scalars()
    return max((h or 0 for h in highest), default=0) + 1


def seed(conn: sa.Connection, size: str, now: datetime, seed: int = SEED) -> dict[str, int]:
    """Build the city and write it through `conn` (the caller commits)."""
    city = build(SIZES[size], now, seed=seed, first_id=first_free_id(conn))
    return store(conn, city)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seed the synthetic city for `make bench`.")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    from portal import create_app

    app = create_app()
    started = time.perf_counter()
    with app.app_context(), db.engine.begin() as conn:
        counts = seed(conn, args.size, datetime.now(UTC), args.seed)
    with app.app_context(), db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
    figures = ", ".join(f"{n:,} {name}" for name, n in counts.items())
    print(f"seeded {args.size} in {time.perf_counter() - started:.0f} s: {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
