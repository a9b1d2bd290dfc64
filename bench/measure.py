"""What `make bench` measures of one page: load with wrk, and single requests on an idle server
(status, validators, SQL statements, bytes, time to first byte, time), and the workers' memory."""

from __future__ import annotations

import gzip
import http.client
import re
import statistics
import subprocess
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # answers outside 2xx/3xx, and socket errors (timeouts included)

    def as_dict(self) -> dict:
        return asdict(self)


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> Load:
    def found(pattern: str) -> re.Match | None:
        return re.search(pattern, output, re.MULTILINE)

    errors = 0
    if match := found(r"Non-2xx or 3xx responses: (\d+)"):
        errors += int(match[1])
    if match := found(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"):
        errors += sum(int(n) for n in match.groups())
    return Load(
        rps=float(found(r"^Requests/sec:\s+([\d.]+)")[1]),
        p50_ms=_ms(found(r"^\s+50%\s+(\S+)")[1]),
        p99_ms=_ms(found(r"^\s+99%\s+(\S+)")[1]),
        requests=int(found(r"^\s+(\d+) requests in")[1]),
        errors=errors,
    )


def wrk(port: int, page: Page, *, duration: str, extra: dict[str, str] | None = None) -> Load:
    """`wrk -t2 -c16 -d<duration> --latency`: bounded load, two threads, sixteen connections. A slow
    answer waits up to 30 s (wrk's default of 2 s would drop it from the latencies)."""
    command = ["wrk", "-t2", "-c16", f"-d{duration}", "--latency", "--timeout", "30s"]
    for name, value in {**page.headers, **(extra or {})}.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{page.path}")
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    first_byte_ms: float
    total_ms: float


def get(port: int, path: str, headers: dict[str, str] | None = None) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        first = response.read(1)
        first_byte = time.perf_counter()
        body = first + response.read()
        ended = time.perf_counter()
        return Answer(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            body,
            (first_byte - started) * 1000,
            (ended - started) * 1000,
        )
    finally:
        connection.close()


def statements(port: int, page: Page, query_log: Path) -> int | None:
    """The SQL statements of one request, streamed body included (bench/wsgi.py logs them on close)."""
    probe_id = uuid.uuid4().hex
    get(port, page.path, {**page.headers, "Accept-Encoding": "identity", "X-Bench-Probe": probe_id})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if query_log.exists():
            for line in query_log.read_text(encoding="ascii").splitlines():
                if line.startswith(probe_id):
                    return int(line.split()[1])
        time.sleep(0.05)
    return None


def probe(port: int, page: Page, query_log: Path, *, samples: int = 9) -> dict:
    """One page on an idle server: its answer, SQL statements, bytes, validators, and the median of
    `samples` sequential requests (after two to warm up), as time to first byte and to the last."""
    plain = {**page.headers, "Accept-Encoding": "identity"}
    for _ in range(2):
        get(port, page.path, plain)
    timed = [get(port, page.path, plain) for _ in range(samples)]
    answer = timed[-1]
    zipped = get(port, page.path, {**page.headers, "Accept-Encoding": "gzip, br"})
    encoding = zipped.headers.get("content-encoding")
    etag = answer.headers.get("etag")
    not_modified = get(port, page.path, {**plain, "If-None-Match": etag}).status if etag else None
    return {
        "status": answer.status,
        "queries": statements(port, page, query_log),
        "bytes": len(answer.body),
        "gzip_bytes": len(zipped.body) if encoding else len(gzip.compress(answer.body, 6)),
        "compressed_by_app": encoding,
        "etag": etag,
        "not_modified_status": not_modified,
        "cache_control": answer.headers.get("cache-control"),
        "server_ms_p50": statistics.median(a.total_ms for a in timed),
        "first_byte_ms_p50": statistics.median(a.first_byte_ms for a in timed),
    }


def worker_rss_mb(master_pid: int) -> list[float]:
    """The resident memory of each worker (the master's children), in MB."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)[1]) / 1024)
    return sizes
