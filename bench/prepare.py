"""The benchmark's database, ready: migrated, seeded at the size asked, analysed. A database kept
from an earlier run (BENCH_KEEP=1) that already holds the city is used as it is.

    python -m bench.prepare SIZE        (DATABASE_URL and the production settings in the environment)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import sqlalchemy as sa

from bench.city import SIZES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def seeded_campaigns(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("campaign"):
                return 0
            return conn.execute(sa.text("SELECT count(*) FROM campaign")).scalar_one()
    finally:
        engine.dispose()


def prepare(size: str) -> None:
    url = os.environ["DATABASE_URL"]
    python = sys.executable
    flask = os.path.join(os.path.dirname(python), "flask")
    # Always first: a city kept from an earlier run (BENCH_KEEP=1) gets the migrations added since,
    # as a production database does on deployment; an empty one gets the whole schema.
    started = time.perf_counter()
    migration = subprocess.run([flask, "--app", "wsgi", "db", "upgrade"], cwd=ROOT, capture_output=True, text=True)
    if migration.returncode:
        sys.exit(f"flask db upgrade failed:\n{migration.stdout}{migration.stderr}")
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    found = seeded_campaigns(url)
    if found == SIZES[size].campaigns:
        print(f"database kept from an earlier run: {found:,} campaigns, not seeded again")
        return
    if found:
        sys.exit(f"the database holds {found:,} campaigns, not the {size} city: remove bench/.data")
    subprocess.run([python, "-m", "bench.seed", "--size", size], cwd=ROOT, check=True)


if __name__ == "__main__":
    prepare(sys.argv[1] if len(sys.argv) > 1 else "small")
