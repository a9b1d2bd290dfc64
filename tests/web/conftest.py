import threading

import pytest
from flask import g, has_request_context, request, request_started, request_tearing_down
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.services import mail


@pytest.fixture(autouse=True)
def _seeded(data):
    """Web tests start from the real editions and events."""


# --- One transaction per user action: no request commits more than once ----------------------
# The endpoints of batches that deliberately commit item by item, each with its reason.
BATCH_ENDPOINTS = {
    "admin.payments_confirm": "the bank statement import commits each row on its own: a payment confirmed "
    "stays confirmed whatever happens to the rows after it (services/payments/bank_import.py)",
}
# Also not counted, on any endpoint: the outbox delivery that the demo configuration
# (MAIL_DELIVER_IMMEDIATELY) runs after the action has committed; it commits each message on its
# own, so a message sent is never sent twice (services/mail.py, `deliver_pending`).


class CommitsPerRequest:
    """Counts each request's commits (savepoints released inside a transaction are not commits)
    and keeps the requests that committed more than once, outside `BATCH_ENDPOINTS`."""

    def __init__(self, exempt: dict[str, str]) -> None:
        self.exempt = exempt
        self.too_many: list[tuple[str, int]] = []
        self._delivering = threading.local()

    def started(self, sender, **extra) -> None:
        g.commits_in_request = 0

    def committed(self, session: Session) -> None:
        if session.in_nested_transaction() or getattr(self._delivering, "active", False):
            return
        if has_request_context() and "commits_in_request" in g:
            g.commits_in_request += 1

    def finished(self, sender, **extra) -> None:
        count = g.pop("commits_in_request", 0)
        if count > 1 and request.endpoint not in self.exempt:
            self.too_many.append((f"{request.method} {request.path} ({request.endpoint})", count))

    def not_counting(self, deliver):
        """`deliver_pending`, with its commits (one per message) left out of the count."""

        def delivering(*args, **kwargs):
            self._delivering.active = True
            try:
                return deliver(*args, **kwargs)
            finally:
                self._delivering.active = False

        return delivering


@pytest.fixture(autouse=True)
def one_commit_per_request(app, monkeypatch):
    """Fails a test in which a request committed more than once (one transaction per user action,
    committed by the outermost service call: `portal.services.transaction`)."""
    counter = CommitsPerRequest(BATCH_ENDPOINTS)
    monkeypatch.setattr(mail, "deliver_pending", counter.not_counting(mail.deliver_pending))
    request_started.connect(counter.started, app)
    request_tearing_down.connect(counter.finished, app)
    event.listen(Session, "after_commit", counter.committed)
    try:
        yield counter
    finally:
        event.remove(Session, "after_commit", counter.committed)
        request_tearing_down.disconnect(counter.finished, app)
        request_started.disconnect(counter.started, app)
    if counter.too_many:
        pytest.fail(f"requests that committed more than once (request, commits): {counter.too_many}")
