"""Proving that a page's cost does not grow with the city (issue 16): the same queries and the same
rows at two data sizes, and PostgreSQL's plan reading from an index.

    with count_queries() as small: client.get(url)
    ... add many more campaigns, pledges, updates ...; analyse()
    with count_queries() as big: client.get(url)
    assert_same_cost(small, big)
    plan = explain(big, containing="FROM campaign")  # PostgreSQL only
    assert_index_served(plan, "campaign")

Never switch the planner's scans off: seed enough rows and ANALYZE, so the plan is the one
production gets.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import text

from portal.extensions import db


def on_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def analyse() -> None:
    """Fresh planner statistics after seeding. On PostgreSQL a VACUUM too: every test empties the tables
    with DELETE, so without it the indexes carry the dead rows of the tests before (thousands after a
    scale test) and the planner, pricing them, prefers a scan the production database would not."""
    db.session.commit()
    if on_postgres():
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _shape(statement: str) -> str:
    """A statement without its literal numbers (a LIMIT, an IN list's length stays the same)."""
    return re.sub(r"\s+", " ", statement).strip()


def assert_same_cost(small, big) -> None:
    """The same statements, in the same order; on PostgreSQL also the same rows returned by each."""
    assert [_shape(s) for s in small.statements] == [_shape(s) for s in big.statements], (
        "the page runs different queries at the two sizes"
    )
    if on_postgres():
        assert small.rows == big.rows, f"rows returned grew with the data: {small.rows} → {big.rows}"


def explain(queries, containing: str) -> dict:
    """PostgreSQL's plan (EXPLAIN (FORMAT JSON), not ANALYZE) of the first recorded statement that
    contains `containing`, with the parameters it ran with."""
    for statement, parameters in zip(queries.statements, queries.parameters, strict=True):
        if containing in statement:
            connection = db.session.connection()
            cursor = connection.connection.driver_connection.cursor()
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
            (plan,) = cursor.fetchone()
            return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    raise AssertionError(f"no statement contains {containing!r}")


def nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def assert_index_served(plan: dict, table: str) -> None:
    """The plan reads `table` through an index, never by scanning the whole table."""
    scans = [node for node in nodes(plan) if node.get("Relation Name") == table]
    assert scans, f"the plan does not read {table}"
    sequential = [node for node in scans if node["Node Type"] == "Seq Scan"]
    assert not sequential, f"sequential scan of {table}: {json.dumps(plan, indent=1)[:3000]}"
