"""Paying pledges in tests: the provider's signed notifications and the staff's bank statement import."""

from __future__ import annotations

import io
import json
import re
from html import unescape

from portal.clock import parse_fixed_now
from portal.domain.webhook import sign
from tests.accounts import csrf_from

WEBHOOK_URL = "/api/pagamenti/notifiche"
WEBHOOK_SECRET = b"test-webhook-secret"  # TestConfig's PAYMENT_WEBHOOK_SECRET
IMPORT_URL = "/it/gestione/pagamenti"
STATEMENT_HEADER = "data;importo;causale;id_movimento"


def now_ts(app) -> int:
    return int(parse_fixed_now(app.config["PORTAL_NOW"]).timestamp())


def event(event_id: str, reference: str, amount_cents: int, kind: str = "payment.succeeded") -> bytes:
    data = {"reference": reference, "amount_cents": amount_cents, "currency": "EUR"}
    return json.dumps({"id": event_id, "type": kind, "data": data}).encode()


def deliver(client, app, body: bytes, *, secret: bytes = WEBHOOK_SECRET, shift: int = 0, header: str | None = None):
    signature = header if header is not None else sign(secret, now_ts(app) + shift, body)
    return client.post(WEBHOOK_URL, data=body, headers={"Portal-Signature": signature}, content_type="application/json")


def statement(*rows: str, header: str = STATEMENT_HEADER) -> bytes:
    return ("\r\n".join((header, *rows)) + "\r\n").encode()


def upload(client, content: bytes, filename: str = "estratto-novembre.csv"):
    token = csrf_from(client.get(IMPORT_URL).get_data(as_text=True))
    data = {"csrf_token": token, "estratto": (io.BytesIO(content), filename)}
    return client.post(IMPORT_URL, data=data, content_type="multipart/form-data")


def confirm_import(client, preview_html: str):
    token = unescape(re.search(r'name="estratto" type="hidden" value="([^"]+)"', preview_html).group(1))
    return client.post(f"{IMPORT_URL}/conferma", data={"csrf_token": csrf_from(preview_html), "estratto": token})
