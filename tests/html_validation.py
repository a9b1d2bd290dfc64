"""The Nu Html Checker (vnu.jar) for tests: `vnu_errors(files)` lists every error, so a test asserts `== []`.

The checker's JVM takes seconds to start and warm up, so it starts once per session as a local
HTTP service (vnu.jar's own servlet on 127.0.0.1) and checks every document the session sends it;
it stops when the Python process exits. The documents are posted as UTF-8 HTML, as the command-line
checker reads the files, and the answers are the same messages.
"""

from __future__ import annotations

import atexit
import json
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parents[1]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
STARTUP_SECONDS = 180  # a busy machine: the JVM reads its schemas before it answers
CHECK_SECONDS = 300


class _Checker:
    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.ready = False
        self.log = None
        self.url = ""

    def launch(self) -> None:
        assert VNU.exists(), "vnu.jar is missing: `make test` runs `npm ci`"
        assert shutil.which("java"), "java is missing: `make test` installs a JRE"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        # A file, not a pipe (a full pipe would stall the JVM); closed by stop().
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the checker
        self.process = subprocess.Popen(
            [
                "java",
                "-Xss4m",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU),
                "nu.validator.servlet.Main",
                str(port),
            ],
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{port}/"
        self.ready = False

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Nu Html Checker did not start:\n{self._output()}")
            try:
                with urlopen(self.url, timeout=10):
                    self.ready = True
                    return
            except (URLError, OSError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"the Nu Html Checker did not answer in {STARTUP_SECONDS} s") from None
                time.sleep(0.1)

    def messages(self, document: bytes) -> list[dict]:
        if self.process is None or (self.ready and self.process.poll() is not None):
            self.stop()  # never started, or gone: a fresh one
            self.launch()
        if not self.ready:
            self.wait_until_ready()
        request = Request(f"{self.url}?out=json", data=document, headers={"Content-Type": "text/html; charset=utf-8"})
        with urlopen(request, timeout=CHECK_SECONDS) as response:
            return json.load(response)["messages"]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        self.ready = False
        if self.log is not None:
            self.log.close()
            self.log = None

    def _output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]


_checker = _Checker()
atexit.register(_checker.stop)


def start_in_background() -> None:
    """Launch the checker now and let its JVM start while other tests run (tests/conftest.py does,
    when the session has tests that check HTML); the first check waits until it answers."""
    if _checker.process is None and VNU.exists() and shutil.which("java"):
        _checker.launch()


def vnu_errors(files: list[str]) -> list[str]:
    """Every error (and fatal error, and document the checker could not read) in these HTML files."""
    errors = []
    for file in files:
        for m in _checker.messages(Path(file).read_bytes()):
            if m["type"] in ("error", "non-document-error") or m.get("subType") == "fatal":
                errors.append(f"{Path(file).name}:{m.get('lastLine')}: {m['message']}")
    return errors
