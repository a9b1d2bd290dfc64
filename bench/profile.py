"""`make bench-profile PAGE=/it/progetti [SIZE=…] [REQUESTS=50]`: one page of the seeded city,
profiled in-process with pyinstrument over REQUESTS requests (after three to warm up), uncached,
in production configuration on the benchmark's PostgreSQL. Prints the call tree, the time per
request and the SQL statements per request. With BENCH_KEEP=1 the seeded database is reused.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from pyinstrument import Profiler
from sqlalchemy import event

from bench.settings import production_env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Profile one page of the benchmark's city.")
    parser.add_argument("--size", default="small")
    parser.add_argument("--page", default="/it/progetti")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--htmx", action="store_true", help="send HX-Request: true (the fragment)")
    args = parser.parse_args(argv)
    database_url = os.environ.get("TEST_DATABASE_URL", "")
    if not database_url.startswith("postgresql"):
        sys.exit("run through bench/postgres.sh (or `make bench-profile`)")
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"portal-bench-{os.getpid()}"
    os.environ.update(production_env(database_url, work))
    from bench.prepare import prepare  # the portal's config reads the environment set above
    from portal import create_app

    prepare(args.size)
    from portal.extensions import db

    app = create_app()
    client = app.test_client()
    headers = {"HX-Request": "true"} if args.htmx else {}
    for _ in range(3):
        response = client.get(args.page, headers=headers)
        if response.status_code != 200:
            sys.exit(f"{args.page} answered {response.status_code}")
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for _ in range(args.requests):
        client.get(args.page, headers=headers).close()
    profiler.stop()
    elapsed = time.perf_counter() - started
    print(profiler.output_text(unicode=True, color=sys.stdout.isatty(), show_all=False))
    print(
        f"{args.page} ({args.size}): {elapsed / args.requests * 1000:.1f} ms per request in-process, profiler on; "
        f"{len(statements) / args.requests:g} SQL statements per request"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
