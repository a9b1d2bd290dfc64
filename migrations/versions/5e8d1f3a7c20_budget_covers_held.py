"""budget covers held: the database refuses a co-funding budget below what no clock can release

The rule (``portal/domain/cofunding.py`` ``covers``): an edition's budget is never below what is
reserved and committed. The portal checks it under the edition's row lock whenever it selects a
project, commits a grant, moves a campaign's window or sets the budget
(``portal/services/cofunding/budget.py``). ``CHECK budget_cents IS NULL OR budget_cents >= 0`` is
in place since the first migration (``ck_edition_budget``).

What the database can hold, on PostgreSQL and on SQLite alike, is the part of the rule that does
not depend on the clock. These triggers refuse (an integrity error) any write to an edition's
budget, an application's selection or reserve, or a campaign's grant that would leave

    budget_cents < committed grants + reserves of selected projects not launched yet

for an edition with a budget (an edition without one, as 2016's from the sources, is not checked).

What it cannot hold: the reserves of launched campaigns that have not reached their target. A
campaign's reserve is held while its window is open and released when the window ends without the
grant, so whether it counts depends on the time, and on the portal's clock (``PORTAL_NOW`` in a
demo), not the database's; a trigger only runs on a write, and the truth changes with no write at
all. That part, and the serialisation of concurrent changes (a trigger under READ COMMITTED does
not see another transaction's uncommitted rows), stay with the row lock in the services. The
triggers are the last word against a bug or a hand-made UPDATE, never the first check: the
portal never reaches them with data it wrote itself. Creating them checks no existing row: an
edition already below (possible only before this revision) is refused its next change of budget,
selection or grant until its budget covers what it holds.

SQLite drops a table's triggers when Alembic's batch mode rebuilds the table: a later migration
that rebuilds ``edition``, ``application`` or ``campaign`` there calls ``create_triggers()`` again.

Revision ID: 5e8d1f3a7c20
Revises: b7c41e2d9a05
Create Date: 2026-11-27 13:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5e8d1f3a7c20"
down_revision = "b7c41e2d9a05"
branch_labels = None
depends_on = None

MESSAGE = "budget_below_held: the co-funding budget would be below what is committed or reserved"


def _held(edition: str) -> str:
    """What an edition's budget holds whatever the time: committed grants, reserves not launched."""
    return f"""(
        (SELECT COALESCE(SUM(c.grant_cents), 0) FROM campaign c
          WHERE c.edition_id = {edition} AND c.grant_committed_at IS NOT NULL)
      + (SELECT COALESCE(SUM(a.reserved_cents), 0) FROM application a
          WHERE a.edition_id = {edition} AND a.status = 'SELECTED'
            AND NOT EXISTS (SELECT 1 FROM campaign l WHERE l.application_id = a.id))
    )"""


# The writes that can raise what the budget holds: (table, events).
WATCHED = {
    "edition": "UPDATE OF budget_cents",
    "application": "INSERT OR UPDATE OF status, reserved_cents, edition_id",
    "campaign": "INSERT OR UPDATE OF grant_cents, grant_committed_at, edition_id",
}

POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION budget_covers_held() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target integer;
    budget bigint;
BEGIN
    IF TG_TABLE_NAME = 'edition' THEN
        target := NEW.id;
    ELSE
        target := NEW.edition_id;
    END IF;
    SELECT e.budget_cents INTO budget FROM edition e WHERE e.id = target;
    IF budget IS NOT NULL AND budget < {_held("target")} THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$
"""


def _sqlite_triggers() -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER): SQLite has one event per trigger and no functions."""
    found = []
    for table, events in WATCHED.items():
        edition = "NEW.id" if table == "edition" else "NEW.edition_id"
        budget = (
            "NEW.budget_cents" if table == "edition" else f"(SELECT budget_cents FROM edition WHERE id = {edition})"
        )
        for event in events.split(" OR "):
            name = f"trg_{table}_budget_covers_held_{event.split()[0].lower()}"
            found.append(
                (
                    name,
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                    f"WHEN {budget} IS NOT NULL AND {budget} < {_held(edition)} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
                )
            )
    return found


def create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        for table, events in WATCHED.items():
            op.execute(
                f"CREATE TRIGGER trg_{table}_budget_covers_held AFTER {events} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION budget_covers_held()"
            )
    else:
        for _, statement in _sqlite_triggers():
            op.execute(statement)


def upgrade():
    create_triggers()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_budget_covers_held ON {table}")
        op.execute("DROP FUNCTION IF EXISTS budget_covers_held()")
    else:
        for name, _ in _sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
