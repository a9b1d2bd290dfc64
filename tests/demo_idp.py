"""The demo SPID identity provider (`demo_idp/`) as a server for the tests, on a free port of 127.0.0.1,
and the browser's part of the exchange with it (the forms a person's browser would post)."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from html import unescape
from pathlib import Path

from tests.servers import ROOT, ProcessLauncher, _running, _tail, portal_env, wait_for
from tests.visitor import Answer, Browser


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the first form of a page, unescaped as a browser sends them."""
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)
    }


def form_action(html: str) -> str:
    return unescape(re.search(r'<form method="post" action="([^"]+)"', html).group(1))


class DemoIdpServer(ProcessLauncher):
    """`python -m demo_idp` on a free port of 127.0.0.1 (it binds port 0 itself and writes its address
    to a file once it listens), reading the service provider's metadata from `sp_metadata` (a URL or
    a file) and writing its own into `metadata_dir` (the portal's SPID_IDP_METADATA_DIR)."""

    def __init__(self, sp_metadata: str, metadata_dir: Path) -> None:
        self.sp_metadata = sp_metadata
        self.metadata_dir = metadata_dir
        self.root = Path(tempfile.mkdtemp(prefix="portal-demo-idp-"))
        self.log = self.root / "idp.log"
        self.ready = self.root / "address"
        self.url = ""
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def entity_id(self) -> str:
        return f"{self.url}/metadata.xml"

    def start(self) -> None:
        _running.add(self)
        command = [sys.executable, "-m", "demo_idp", "--sp-metadata", self.sp_metadata]
        command += ["--metadata-dir", str(self.metadata_dir), "--ready-file", str(self.ready)]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=portal_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for(self._listening, "the demo identity provider listening", detail=lambda: _tail(self.log))
        self.url = self.ready.read_text().strip()

    def _listening(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"the demo identity provider exited:\n{_tail(self.log)}")
        return self.ready.exists()

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log, lines)

    def chooser(self, browser: Browser, request_page: str) -> Answer:
        """What the browser gets by posting the portal's auto-posting form (its HTML) to the IdP."""
        return browser.post(form_action(request_page), form_fields(request_page))

    def answer(self, browser: Browser, request_page: str, person: str | None = "giulia", **extra: str) -> Answer:
        """The person picks `person` (a key of demo_idp.identities) and presses "Accedi": the IdP's page
        that posts the signed response to the portal."""
        chooser = self.chooser(browser, request_page)
        assert chooser.status == 200, f"{chooser.status}: {chooser.text[:300]}\n{self.log_tail()}"
        fields = {"key": form_fields(chooser.text)["key"], **extra}
        if person is not None:
            fields["identity"] = person
        return browser.post(f"{self.url}/sso/answer", fields)
