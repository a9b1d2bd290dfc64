"""A visitor's browser for the tests that talk to real servers (tests/servers.py) over HTTP."""

from __future__ import annotations

import http.client
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class Browser:
    """One visitor's browser: it keeps its cookies and sends them to whichever server it talks to
    (behind a load balancer every server answers to the portal's one host name, and a cookie does
    not depend on the port), and follows no redirect, so that tests see each answer."""

    def __init__(self, cookies: Mapping[str, str] | None = None) -> None:
        self.cookies: dict[str, str] = dict(cookies or {})

    def copy(self) -> Browser:
        """Another browser holding the same cookies (a copy of the cookie taken at this moment)."""
        return Browser(self.cookies)

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 20,
    ) -> Answer:
        parts = urlsplit(url)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body, headers=sent)
            response = conn.getresponse()
            answer = Answer(response.status, response.headers, response.read())
        finally:
            conn.close()
        for header in answer.headers.get_all("Set-Cookie") or []:
            self._keep(header)
        return answer

    def _keep(self, header: str) -> None:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value

    def get(self, url: str, **kwargs: Any) -> Answer:
        return self.request("GET", url, **kwargs)

    def post(
        self, url: str, fields: Mapping[str, str | list[str]], files: Mapping[str, tuple[str, bytes]] | None = None
    ) -> Answer:
        """A form as a browser sends it; `files` (field → (file name, content)) makes it multipart."""
        if not files:
            body = urlencode(fields, doseq=True).encode()
            return self.request("POST", url, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        boundary = secrets.token_hex(16)
        parts: list[bytes] = []
        for name, value in fields.items():
            for item in value if isinstance(value, list) else [value]:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode()
                )
        for name, (filename, content) in files.items():
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            )
            parts.append(head.encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(
            "POST", url, body=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def csrf_token(self, url: str) -> str:
        """The CSRF token of the form on that page (it belongs to this browser's session)."""
        page = self.get(url)
        found = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page.text)
        if page.status != 200 or not found:
            raise AssertionError(f"no form at {url}: {page.status}\n{page.text[:500]}")
        return found.group(1)
