"""Signed notifications to the portal, retried when the portal does not take them."""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
import urllib.error
import urllib.request

from demo_provider import SIGNATURE_HEADER
from demo_provider.state import Event, Store

log = logging.getLogger("demo_provider")

RETRY_PAUSES = (1, 2, 4, 8, 16, 32)  # seconds before each further attempt
TIMEOUT = 10


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body>``: the format of portal.domain.webhook."""
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class Notifier:
    def __init__(self, store: Store, url: str, secret: bytes, *, pauses: tuple[float, ...] = RETRY_PAUSES) -> None:
        self.store = store
        self.url = url
        self.secret = secret
        self.pauses = pauses

    def send_now(self, event: Event) -> bool:
        """One attempt, signed at the real time of sending; a failure is retried in the background."""
        if self._attempt(event):
            return True
        self.send_later(event)
        return False

    def send_later(self, event: Event, delay: float = 0) -> None:
        """Deliver in the background (after `delay` seconds), retrying until the portal takes it."""
        threading.Thread(target=self._keep_trying, args=(event, delay), daemon=True).start()

    def _keep_trying(self, event: Event, delay: float) -> None:
        time.sleep(delay)
        if event.delivered or self._attempt(event):
            return
        for pause in self.pauses:
            time.sleep(pause)
            if self._attempt(event):
                return
        log.error("notification %s (%s) not accepted after %d attempts", event.id, event.type, event.attempts)

    def _attempt(self, event: Event) -> bool:
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self.secret, int(time.time()), event.body),
        }
        request = urllib.request.Request(self.url, data=event.body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # the portal, on loopback only
                said = f"{answer.status} {answer.read(500).decode(errors='replace')}"
                delivered = 200 <= answer.status < 300
        except urllib.error.HTTPError as refused:
            delivered, said = False, f"{refused.code} {refused.read(500).decode(errors='replace')}"
        except OSError as problem:
            delivered, said = False, f"no answer: {problem}"
        self.store.record_attempt(event, delivered, said.strip())
        log.info("notification %s (%s) -> %s", event.id, event.type, said.strip())
        return delivered
