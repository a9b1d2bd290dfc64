"""`make bench`: the portal at city scale, measured as an operator would (issue 16).

    scripts/with-redis.sh bench/postgres.sh .venv/bin/python -m bench.run --size city --repeat 3 --duration 10s

Seeds the city into the PostgreSQL of TEST_DATABASE_URL (bench/prepare.py), then serves, each with
gunicorn, 2 sync workers, on a free port of 127.0.0.1: the portal in production configuration
without the shared page cache, the same with it (PAGE_CACHE_URL on the Redis of with-redis.sh), and
the one-route "hello" app. Each repeat measures, under `wrk -t2 -c16`, the hello app, then every
page uncached, the hello app, every page from the shared cache, the hello app, every page as a 304,
the hello app: a page's ratio is its requests per second over the mean of the hello runs either side
of its block. Prints the table (bench/report.py) and writes it to bench/results/<size>-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.measure import Page, probe, worker_rss_mb, wrk
from bench.prepare import prepare
from bench.report import machine, print_report
from bench.settings import production_env

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PASSES = ("uncached", "cached", "304")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str]):
    """gunicorn, 2 sync workers, on a free port of 127.0.0.1; (port, master pid) once it answers."""
    port = free_port()
    binary = Path(sys.executable).parent / "gunicorn"
    command = [str(binary), "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", "--log-level", "warning", app]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn {app} did not start") from None
                time.sleep(0.2)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def pages_of(database_url: str) -> list[Page]:
    """The pages of issue 16, for the city in the database: the latest call, the campaign with most pledges."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        year = conn.execute(sa.text("SELECT max(year) FROM edition WHERE is_published")).scalar_one()
        slug = conn.execute(
            sa.text(
                "SELECT slug FROM campaign WHERE id = (SELECT campaign_id FROM pledge "
                "GROUP BY campaign_id ORDER BY count(*) DESC LIMIT 1)"
            )
        ).scalar_one()
    engine.dispose()
    return [
        Page("home", "/it/"),
        Page("call page", f"/it/bando/{year}"),
        Page("gallery", "/it/progetti"),
        Page("gallery fragment", "/it/progetti", {"HX-Request": "true"}),
        Page("campaign (most pledges)", f"/it/progetti/{slug}"),
        Page("tracker", f"/it/bando/{year}/cofinanziamento"),
        Page("progetti.csv", "/dati/progetti.csv"),
        Page("progetti.json", "/dati/progetti.json"),
        Page("sitemap.xml", "/sitemap.xml"),
        Page("Atom feed", "/it/progetti/feed.atom"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", default="10s")
    args = parser.parse_args(argv)
    database_url = os.environ.get("TEST_DATABASE_URL")
    redis_url = os.environ.get("RATELIMIT_STORAGE_URI", "")
    if not (database_url or "").startswith("postgresql") or not redis_url.startswith("redis://"):
        sys.exit("run through scripts/with-redis.sh bench/postgres.sh (or `make bench`)")
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"portal-bench-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    env = production_env(database_url, work)
    os.environ.update(
        {k: env[k] for k in ("PORTAL_ENV", "PORTAL_NOW", "SECRET_KEY", "DATABASE_URL", "PAYMENT_PROVIDER")}
    )
    try:
        return _measure(args, env, database_url, redis_url)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(args: argparse.Namespace, env: dict[str, str], database_url: str, redis_url: str) -> int:
    prepare(args.size)
    pages = pages_of(database_url)
    query_log = Path(env["BENCH_QUERY_LOG"])
    # The page cache in its own Redis database: the rate limits keep theirs.
    cached_env = {**env, "PAGE_CACHE_URL": redis_url.rsplit("/", 1)[0] + "/1"}

    with ExitStack() as servers:
        hello, _ = servers.enter_context(gunicorn("bench.hello:app", env))
        uncached, uncached_pid = servers.enter_context(gunicorn("bench.wsgi:app", env))
        cached, cached_pid = servers.enter_context(gunicorn("bench.wsgi:app", cached_env))
        ports = {"uncached": uncached, "cached": cached, "304": cached}
        print(f"\nprobing {len(pages)} pages, unloaded …", flush=True)
        probes = {
            name: {p.name: probe(port, p, query_log) for p in pages}
            for name, port in (("uncached", uncached), ("cached", cached))
        }
        runs: dict[str, dict[str, list]] = {name: {p.name: [] for p in pages} for name in PASSES}
        hello_runs: list[float] = []
        for repeat in range(1, args.repeat + 1):
            before = wrk(hello, Page("hello", "/"), duration=args.duration)
            hello_runs.append(before.rps)
            for name in PASSES:
                print(f"repeat {repeat}/{args.repeat}: {name} …", flush=True)
                block = {}
                for page in pages:
                    extra = None
                    if name == "304":
                        etag = probes["cached"][page.name]["etag"]
                        if not etag:
                            continue
                        extra = {"If-None-Match": etag}
                    if probes[name if name != "304" else "cached"][page.name]["status"] != 200:
                        continue
                    block[page.name] = wrk(ports[name], page, duration=args.duration, extra=extra)
                after = wrk(hello, Page("hello", "/"), duration=args.duration)
                hello_runs.append(after.rps)
                yardstick = (before.rps + after.rps) / 2
                for page_name, load in block.items():
                    runs[name][page_name].append(
                        {**load.as_dict(), "ratio": load.rps / yardstick, "hello_rps": yardstick}
                    )
                before = after
        rss = {"uncached": worker_rss_mb(uncached_pid), "cached": worker_rss_mb(cached_pid)}

    result = {
        "size": args.size,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "repeat": args.repeat,
            "duration": args.duration,
            "wrk": "-t2 -c16 --latency",
            "gunicorn": "-w 2 -k sync",
        },
        "machine": machine(),
        "hello_rps": {"median": statistics.median(hello_runs), "runs": hello_runs},
        "pages": [{"name": p.name, "path": p.path, "headers": p.headers} for p in pages],
        "probes": probes,
        "runs": runs,
        "worker_rss_mb": rss,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{args.size}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print_report(result)
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
