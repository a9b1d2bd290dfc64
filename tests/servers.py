"""Real servers for the tests that need more than Flask's test client: a throwaway PostgreSQL,
a Redis and the portal under gunicorn (a visitor's browser that talks to them: tests/visitor.py).

Each launcher is a context manager that stops what it started when its block ends, whatever
happened inside it (a failed assertion included); anything still running when the test process
exits (an interrupted run) is stopped then. Everything listens on 127.0.0.1 only, on a free port,
with its data in a temporary folder; nothing touches the suite's own database server.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from glob import glob
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self

from tests.visitor import Browser

if TYPE_CHECKING:
    from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the virtualenv running the tests: its gunicorn and flask
LOOPBACK = "127.0.0.1"


class Stoppable(Protocol):
    def kill(self) -> None: ...


_running: set[Stoppable] = set()


@atexit.register
def _stop_everything_left() -> None:
    """The last resort: a run interrupted before the context managers could stop their servers."""
    for server in list(_running):
        with contextlib.suppress(Exception):
            server.kill()


class Launcher:
    """A server started by entering a `with` block and stopped, whatever happened, when it ends:
    a start that fails half-way is cleaned up too. Subclasses define `start` and `kill`."""

    def start(self) -> None:
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.kill()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()


class ProcessLauncher(Launcher):
    """A launcher of one child process (`process`) with its own temporary folder (`root`): stopping
    it terminates the process (killed after 10 s) and removes the folder."""

    process: subprocess.Popen[bytes] | None
    root: Path

    def kill(self) -> None:
        _running.discard(self)
        try:
            if self.process is not None and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(10)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


PORT_ATTEMPTS = 3  # another process (the other pass of `make test`) may take a free port before we do


class PortTaken(RuntimeError):
    """The free port chosen was taken before the server could listen on it."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30, detail: Callable[[], str] = str) -> None:
    """Poll `condition` until it holds; after `timeout` seconds fail, saying what was awaited."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s\n{detail()}")
        time.sleep(0.1)


def run(command: list[str], *, timeout: float = 120, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command to its end; fail with its output when it fails."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- PostgreSQL ---------------------------------------------------------------------------------


def postgres_bin() -> Path:
    """The newest PostgreSQL installed from Debian's packages."""
    found = glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run scripts/system-deps.sh")
    newest = max(found, key=lambda path: tuple(int(n) for n in Path(path).parts[-3].split(".")))
    return Path(newest).parent


class Postgres(Launcher):
    """A throwaway PostgreSQL server on a free port of 127.0.0.1, its data in a temporary folder.

    `start()` creates the cluster the first time; `stop(mode)` and `start()` again keep its data
    (an outage); leaving the `with` block stops it and removes the folder. As root the server runs
    as the `postgres` user (it refuses root); the client tools run as the caller, over TCP.
    """

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            self._as_postgres = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")

    def tool(self, name: str) -> str:
        return str(self.bin / name)

    def _server(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        # The postgres user may not be allowed into the caller's folder: work from the server's own.
        return run([*self._as_postgres, *args], cwd=self.root, timeout=timeout)

    def start(self) -> None:
        """Start the server, creating its cluster the first time. Started again after `stop()` it
        keeps its port; the first time, a port taken meanwhile is exchanged for another."""
        first = not (self.data / "PG_VERSION").exists()
        if first:
            initdb = [self.tool("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
            self._server(*initdb, "-E", "UTF8", "--locale=C.UTF-8")
        _running.add(self)
        for attempt in range(PORT_ATTEMPTS):
            try:
                self._start_on_port()
                return
            except RuntimeError:
                if not first or attempt == PORT_ATTEMPTS - 1 or "already in use" not in _tail(self.log):
                    raise
                self.port = free_port()

    def _start_on_port(self) -> None:
        options = (
            f"-c listen_addresses={LOOPBACK} -p {self.port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        pg_ctl = [self.tool("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60"]
        self._server(*pg_ctl, "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        """`pg_ctl stop -m fast`: open connections are cut, committed data stays."""
        self._server(self.tool("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def is_running(self) -> bool:
        status = [*self._as_postgres, self.tool("pg_ctl"), "-D", str(self.data), "status"]
        return subprocess.run(status, cwd=self.root, capture_output=True, check=False).returncode == 0

    def kill(self) -> None:
        """Stop at once (whatever it is doing) and remove the data."""
        _running.discard(self)
        try:
            if self.data.exists() and self.is_running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def dsn(self, database: str) -> str:
        """The libpq address, for psql, pg_dump and pg_restore."""
        return f"postgresql://postgres@{LOOPBACK}:{self.port}/{database}"

    def url(self, database: str) -> str:
        """The SQLAlchemy address, for the portal's DATABASE_URL."""
        return f"postgresql+psycopg://postgres@{LOOPBACK}:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        run([self.tool("createdb"), "-h", LOOPBACK, "-p", str(self.port), "-U", "postgres", name])

    def psql(self, database: str, sql: str) -> str:
        """What psql prints for the statements in `sql`: unaligned, tuples only, stopping at the first error."""
        command = [self.tool("psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.dsn(database), "-f", "-"]
        return run(command, input=sql).stdout


# --- Redis --------------------------------------------------------------------------------------


class Redis(ProcessLauncher):
    """A Redis on a free port of 127.0.0.1 that keeps nothing on disk."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="portal-redis-"))
        self.log = self.root / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self) -> None:
        _running.add(self)
        for attempt in range(PORT_ATTEMPTS):
            command = ["redis-server", "--port", str(self.port), "--bind", LOOPBACK, "--save", ""]
            command += ["--appendonly", "no", "--dir", str(self.root)]
            with self.log.open("wb") as log:
                self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                wait_for(self._answers, "Redis answering PING", detail=lambda: _tail(self.log))
                return
            except PortTaken:
                if attempt == PORT_ATTEMPTS - 1:
                    raise
                self.port = free_port()

    def command(self, *args: str) -> bytes:
        """One command in Redis' protocol; the raw reply (e.g. `command("DBSIZE")` → b":3\\r\\n")."""
        request = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
        with socket.create_connection((LOOPBACK, self.port), timeout=5) as conn:
            conn.sendall(request.encode())
            return conn.recv(65536)

    def _answers(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            problem = PortTaken if "already in use" in _tail(self.log) else RuntimeError
            raise problem(f"redis-server exited:\n{_tail(self.log)}")
        try:
            return self.command("PING").startswith(b"+PONG")
        except OSError:
            return False


# --- The portal ---------------------------------------------------------------------------------

WEBHOOK_SECRET = "servers-test-webhook-secret"


def portal_env(**settings: str) -> dict[str, str]:
    """An app server's environment: the given settings and only PATH, HOME and the locale from the
    test run's own (never its TEST_DATABASE_URL, PORTAL_NOW or PORTAL_ENV)."""
    kept = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL") if name in os.environ}
    return {**kept, **settings}


def production_env(
    database_url: str, upload_dir: Path, *, storage_uri: str = "memory://", **more: str
) -> dict[str, str]:
    """What production needs (README, Configuration), on loopback and without TLS."""
    return portal_env(
        PORTAL_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=database_url,
        RATELIMIT_STORAGE_URI=storage_uri,
        UPLOAD_DIR=str(upload_dir),
        KEPT_FILES_DIR=str(upload_dir / "kept-files"),
        PAYMENT_WEBHOOK_SECRET=WEBHOOK_SECRET,
        PAYMENT_PROVIDER="none",  # bank transfers only: no Stripe keys on the test machines
        SESSION_COOKIE_SECURE="0",
        SITE_URL="http://127.0.0.1",
        **more,
    )


def flask(env: Mapping[str, str], *args: str, timeout: float = 300) -> str:
    """`flask --app wsgi <args>` in that environment; what it printed."""
    return run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=dict(env), timeout=timeout).stdout


class AppServer(Launcher):
    """The portal under gunicorn on a free port of 127.0.0.1: `start()` returns once /healthz says
    the app and its database are up; `stop()` asks gunicorn to finish and kills what remains."""

    def __init__(self, env: Mapping[str, str], *, workers: int = 2, name: str = "app") -> None:
        self.env = dict(env)
        self.workers = workers
        self.name = name
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix=f"portal-{name}-"))
        self.log = self.root / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, path: str = "/") -> str:
        return f"http://{LOOPBACK}:{self.port}{path}"

    def start(self, timeout: float = 60) -> None:
        _running.add(self)
        for attempt in range(PORT_ATTEMPTS):
            command = [str(BIN / "gunicorn"), "--workers", str(self.workers), "--bind", f"{LOOPBACK}:{self.port}"]
            command += ["--timeout", "60", "--graceful-timeout", "5", "--access-logfile", "-"]
            # Each server its own control socket: the default, under $HOME, is shared by every gunicorn.
            command += ["--control-socket", str(self.root / "gunicorn.ctl"), "wsgi:app"]
            with self.log.open("wb") as log:
                self.process = subprocess.Popen(
                    command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            try:
                self.wait_ready(timeout)
                return
            except PortTaken:
                self.stop()
                if attempt == PORT_ATTEMPTS - 1:
                    raise
                self.port = free_port()
                _running.add(self)

    def healthy(self) -> bool:
        """Listening on its own port (not merely something answering there) and /healthz says 200."""
        log = self.log.read_text(errors="replace")
        if "Connection in use" in log:
            raise PortTaken(f"the app server {self.name}'s port {self.port} was taken")
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"the app server {self.name} exited:\n{self.log_tail()}")
        if f"Listening at: http://{LOOPBACK}:{self.port}" not in log:
            return False
        try:
            return Browser().get(self.url("/healthz"), timeout=5).status == 200
        except OSError:
            return False

    def wait_ready(self, timeout: float = 60) -> None:
        wait_for(self.healthy, f"the app server {self.name} ready", timeout, detail=self.log_tail)

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log, lines)

    def stop(self) -> None:
        _running.discard(self)
        process = self.process
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)  # the master and its workers: their own process group
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def kill(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@contextlib.contextmanager
def portal_app(database_url: str, upload_dir: Path) -> Iterator[Flask]:
    """The portal inside the test process, on the servers' database and upload folder and on the real
    clock: to prepare data through the services and to read what the servers stored. Its connections
    are closed at the end (the database server may be stopped next)."""
    from config import TestConfig
    from portal import create_app
    from portal.extensions import db

    overrides = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_DIR": str(upload_dir),
        "KEPT_FILES_DIR": str(upload_dir / "kept-files"),
        "PORTAL_NOW": None,
    }
    app = create_app(TestConfig, overrides=overrides)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def signed_notification(event_id: str, reference: str, amount_cents: int) -> tuple[bytes, dict[str, str]]:
    """A payment provider's `payment.succeeded` notification, signed now with the servers' secret:
    (body, headers) for `POST /api/pagamenti/notifiche`."""
    from portal.domain.webhook import SIGNATURE_HEADER, sign

    data = {"reference": reference, "amount_cents": amount_cents, "currency": "EUR"}
    body = json.dumps({"id": event_id, "type": "payment.succeeded", "data": data}).encode()
    signature = sign(WEBHOOK_SECRET.encode(), int(time.time()), body)
    return body, {SIGNATURE_HEADER: signature, "Content-Type": "application/json"}


@contextlib.contextmanager
def app_servers(*servers: AppServer) -> Iterator[tuple[AppServer, ...]]:
    """Several app servers at once; every one stopped at the end, even if another failed to start."""
    with contextlib.ExitStack() as stack:
        yield tuple(stack.enter_context(server) for server in servers)
