"""The demo payment provider (`demo_provider/`) as a server for the tests, on a free port of 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.servers import ROOT, ProcessLauncher, _running, _tail, portal_env, wait_for
from tests.visitor import Browser


class DemoProviderServer(ProcessLauncher):
    """The demo payment provider (`python -m demo_provider`) on a free port of 127.0.0.1 (it binds port 0
    itself and writes its address to a file once it listens), notifying the portal at `notify_url`,
    signing with `secret`, on the clock `now` (ISO 8601; empty: the real time); `notify_delay` seconds
    between paying and notifying (0: before the person is sent back)."""

    def __init__(
        self, notify_url: str, secret: str, *, now: str = "", sweep_seconds: float = 5, notify_delay: float = 0
    ) -> None:
        self.notify_url = notify_url
        self.notify_delay = notify_delay
        self.secret = secret
        self.now = now
        self.sweep_seconds = sweep_seconds
        self.root = Path(tempfile.mkdtemp(prefix="portal-demo-provider-"))
        self.log = self.root / "provider.log"
        self.ready = self.root / "address"
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        _running.add(self)
        command = [sys.executable, "-m", "demo_provider", "--notify-url", self.notify_url]
        command += ["--ready-file", str(self.ready), "--now", self.now, "--sweep-seconds", str(self.sweep_seconds)]
        command += ["--notify-delay", str(self.notify_delay)]
        env = portal_env(PAYMENT_WEBHOOK_SECRET=self.secret)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for(self._listening, "the demo provider listening", detail=lambda: _tail(self.log))
        self.url = self.ready.read_text().strip()

    def _listening(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"the demo provider exited:\n{_tail(self.log)}")
        return self.ready.exists()

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log, lines)

    def events(self) -> list[dict]:
        """The notifications it sent so far: {id, type, attempts, delivered, last_answer}."""
        headers = {"Authorization": f"Bearer {self.secret}"}
        return Browser().get(f"{self.url}/v1/events", headers=headers, timeout=5).json()["events"]
