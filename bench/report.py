"""The table `make bench` prints, with the goals of issue 16 beside the figures (✔ met, ✘ not)."""

from __future__ import annotations

import os
import platform
import re
import statistics
from collections.abc import Callable
from pathlib import Path

KB = 1024


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    memory = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.MULTILINE)
    return {
        "nproc": os.cpu_count(),
        "cpu": model[1] if model else platform.processor(),
        "ram_gb": round(int(memory[1]) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


# (page or "*", pass, what, goal text, figure from (probe, runs summary), check)
Goal = tuple[str, str, str, str, Callable[[dict, dict], float | None], Callable[[float], bool]]
GOALS: list[Goal] = [
    ("gallery", "uncached", "ratio", "≥ 0.15× hello", lambda p, r: r.get("ratio"), lambda v: v >= 0.15),
    ("gallery", "uncached", "server p50", "≤ 5 ms", lambda p, r: p["server_ms_p50"], lambda v: v <= 5),
    ("gallery", "uncached", "p99 at c=16", "≤ 150 ms", lambda p, r: r.get("p99_ms"), lambda v: v <= 150),
    ("gallery fragment", "uncached", "gzipped", "≤ 8 KB", lambda p, r: p["gzip_bytes"] / KB, lambda v: v <= 8),
    ("campaign (most pledges)", "uncached", "ratio", "≥ 0.15× hello", lambda p, r: r.get("ratio"), lambda v: v >= 0.15),
    ("tracker", "uncached", "server p50", "≤ 50 ms", lambda p, r: p["server_ms_p50"], lambda v: v <= 50),
    ("progetti.csv", "uncached", "first byte", "≤ 100 ms", lambda p, r: p["first_byte_ms_p50"], lambda v: v <= 100),
    ("progetti.json", "uncached", "first byte", "≤ 100 ms", lambda p, r: p["first_byte_ms_p50"], lambda v: v <= 100),
    ("sitemap.xml", "uncached", "server p50", "≤ 50 ms", lambda p, r: p["server_ms_p50"], lambda v: v <= 50),
    ("Atom feed", "uncached", "server p50", "≤ 20 ms", lambda p, r: p["server_ms_p50"], lambda v: v <= 20),
    ("*", "uncached", "SQL queries", "≤ 3", lambda p, r: p["queries"], lambda v: v <= 3),
    ("pages", "cached", "ratio (shared cache)", "≥ 0.5× hello", lambda p, r: r.get("ratio"), lambda v: v >= 0.5),
    # The exports' own goal: "streamed … or pre-built and served as a file". A repeated download is
    # its kept copy, sent from disk: no query. (Their ratio to hello is printed above, not a goal: a
    # 1.7–4 MB file at half hello's rate would be 4–9 GB/s through loopback; they run at ~1.4 GB/s.)
    ("exports", "cached", "kept copy: SQL queries", "0", lambda p, r: p["queries"], lambda v: v == 0),
]
# The open-data files, against the pages (everything else).
EXPORTS = frozenset({"progetti.csv", "progetti.json"})


def _applies(goal_page: str, name: str) -> bool:
    if goal_page == "*":
        return True
    if goal_page == "pages":
        return name not in EXPORTS
    if goal_page == "exports":
        return name in EXPORTS
    return goal_page == name


def summary(runs: list[dict]) -> dict:
    """Median of each figure across repeats, and the spread of the ratio."""
    if not runs:
        return {}
    ratios = [r["ratio"] for r in runs]
    return {
        "ratio": statistics.median(ratios),
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "rps": statistics.median(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
    }


def _mark(ok: bool) -> str:
    return "✔" if ok else "✘"


def _load_cells(s: dict) -> str:
    if not s:
        return f"{'—':>22} {'':>8} {'':>8} {'':>8} {'':>5}"
    ratio = f"{s['ratio']:.3f} ({s['ratio_min']:.3f}–{s['ratio_max']:.3f})"
    return f"{ratio:>22} {s['rps']:>8.1f} {s['p50_ms']:>8.1f} {s['p99_ms']:>8.1f} {s['errors']:>5}"


def goal_lines(result: dict) -> list[tuple[str, str, bool]]:
    lines = []
    for page in result["pages"]:
        name = page["name"]
        for goal_page, pass_, what, text, figure, check in GOALS:
            if not _applies(goal_page, name):
                continue
            value = figure(
                result["probes"]["uncached" if pass_ == "uncached" else "cached"][name],
                summary(result["runs"][pass_][name]),
            )
            if value is None:
                lines.append((f"{name}: {what}", f"{text}: not measured", False))
            else:
                lines.append((f"{name}: {what}", f"{value:,.3g} (goal {text})", check(value)))
    rss = max(result["worker_rss_mb"]["uncached"] + result["worker_rss_mb"]["cached"])
    lines.append(("worker memory after load", f"{rss:.0f} MB (goal ≤ 120 MB)", rss <= 120))
    html = [p for p in result["pages"] if p["name"] not in EXPORTS]
    compressed = [p["name"] for p in html if result["probes"]["uncached"][p["name"]]["compressed_by_app"]]
    lines.append(
        (
            "compression (gzip/brotli)",
            f"{len(compressed)}/{len(html)} pages compressed when asked",
            len(compressed) == len(html),
        )
    )
    for p in result["pages"]:
        probe = result["probes"]["cached"][p["name"]]
        ok = probe["etag"] is not None and probe["not_modified_status"] == 304
        lines.append(
            (
                f"{p['name']}: ETag and 304",
                f"ETag {'yes' if probe['etag'] else 'no'}, revalidation {probe['not_modified_status'] or '—'}",
                ok,
            )
        )
    return lines


def print_report(result: dict) -> None:
    m = result["machine"]
    print(f"\n== make bench SIZE={result['size']} — {result['measured_at']} ==")
    print(f"machine: {m['nproc']} CPU ({m['cpu']}), {m['ram_gb']} GB RAM; {result['settings']}")
    hello = result["hello_rps"]
    print(f"hello: {hello['median']:.0f} req/s median ({min(hello['runs']):.0f}–{max(hello['runs']):.0f})")
    header = f"{'page':<24} {'ratio to hello (min–max)':>22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'err':>5}"
    for pass_, title in (
        ("uncached", "uncached (PAGE_CACHE_URL empty)"),
        ("cached", "shared page cache (Redis)"),
        ("304", "If-None-Match: <ETag> (304)"),
    ):
        print(f"\n-- {title} --")
        extra = (
            f" {'SQL':>4} {'srv ms':>7} {'TTFB':>6} {'bytes':>9} {'gzip':>8} {'enc':>5} {'ETag':>4}"
            if pass_ != "304"
            else ""
        )
        print(header + extra)
        for page in result["pages"]:
            name = page["name"]
            line = f"{name:<24} {_load_cells(summary(result['runs'][pass_][name]))}"
            if pass_ != "304":
                p = result["probes"][pass_][name]
                if p["status"] != 200:
                    line += f"  HTTP {p['status']}"
                else:
                    queries = "?" if p["queries"] is None else p["queries"]
                    line += f" {queries:>4} {p['server_ms_p50']:>7.1f} {p['first_byte_ms_p50']:>6.1f}"
                    line += f" {p['bytes']:>9,} {p['gzip_bytes']:>8,} {p['compressed_by_app'] or 'no':>5}"
                    line += f" {'yes' if p['etag'] else 'no':>4}"
            print(line)
    rss = result["worker_rss_mb"]
    sizes = {name: ", ".join(f"{r:.0f}" for r in values) for name, values in rss.items()}
    print(f"\nworker RSS after load (MB): uncached {sizes['uncached']}; cached {sizes['cached']}")
    print("\n-- goals of issue 16 --")
    lines = goal_lines(result)
    for what, figure, ok in lines:
        print(f" {_mark(ok)} {what:<44} {figure}")
    print(f"\n{sum(ok for *_, ok in lines)}/{len(lines)} goals met")
