"""A local stand-in for Stripe's API, held to Stripe's published OpenAPI description.

Stripe cannot be reached from the test machines. This threaded HTTP server, on a free 127.0.0.1 port,
answers the three calls the portal makes (create and retrieve a Checkout Session, create a Refund). Each
request's form body is decoded the way Stripe reads it (`a[b][0][c]=…`) and validated against the
request schema of `tests/contracts/stripe/openapi-trimmed.json` (vendored from the public
`stripe/openapi` repository); each answer is built from Stripe's own fixtures (`fixtures.json`, same
source) and validated against the response schema before it is sent. A request that breaks the contract
is recorded in `violations` and answered 400, as Stripe would. The Idempotency-Key of every POST is
recorded, and a repeated key gets the first answer again, as Stripe documents.

The notification bodies are Stripe's fixture event with, as `data.object`, the fixture Checkout
Session, Charge or Refund, changed only where the scenario says (status, amount, reference), and
signed the way Stripe documents: `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonschema

CONTRACTS = Path(__file__).resolve().parent / "contracts" / "stripe"
SPEC: dict[str, Any] = json.loads((CONTRACTS / "openapi-trimmed.json").read_text(encoding="utf-8"))
FIXTURES: dict[str, Any] = json.loads((CONTRACTS / "fixtures.json").read_text(encoding="utf-8"))["resources"]
FORM = "application/x-www-form-urlencoded"


# -- OpenAPI 3.0 schemas as JSON Schema -------------------------------------------------------------


def _as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` becomes JSON Schema's "or null"; the rest is the same vocabulary."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _as_json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


_ROOT = _as_json_schema(SPEC)


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    # The schema is embedded in the whole document, so its "#/components/schemas/…" references resolve.
    return jsonschema.Draft202012Validator({**_ROOT, **schema})


def _operation(method: str, path: str) -> dict[str, Any]:
    return _ROOT["paths"][path][method]


def request_schema(method: str, path: str) -> dict[str, Any]:
    return _operation(method, path)["requestBody"]["content"][FORM]["schema"]


def response_schema(method: str, path: str, status: int) -> dict[str, Any]:
    responses = _operation(method, path)["responses"]
    return (responses.get(str(status)) or responses["default"])["content"]["application/json"]["schema"]


def schema_errors(schema: dict[str, Any], instance: Any) -> list[str]:
    errors = _validator(schema).iter_errors(instance)
    return sorted(f"{'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}" for error in errors)


def component(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


# -- form bodies as Stripe reads them ---------------------------------------------------------------

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def decode_form(body: str) -> dict[str, Any]:
    """`line_items[0][price_data][currency]=eur` → {"line_items": {"0": {"price_data": {"currency": "eur"}}}}."""
    decoded: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True, strict_parsing=bool(body)):
        match = _KEY.match(key)
        if not match:
            raise ValueError(f"malformed parameter name {key!r}")
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = decoded
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ValueError(f"parameter {key!r} is both a value and a hash")
        node[parts[-1]] = value
    return decoded


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _ROOT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def coerce(schema: dict[str, Any], value: Any) -> Any:
    """Form values are strings: give each the type its schema asks for (integers, booleans, arrays)."""
    schema = _resolve(schema)
    for branch in schema.get("anyOf", ()):
        candidate = coerce(branch, value)
        if not schema_errors(branch, candidate):
            return candidate
    kind = schema.get("type")
    if kind == "integer" and isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    if kind == "array" and isinstance(value, dict) and all(k.isdigit() for k in value):
        items = schema.get("items", {})
        return [coerce(items, value[k]) for k in sorted(value, key=int)]
    if kind == "object" and isinstance(value, dict):
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        return {
            k: coerce(properties[k] if k in properties else (extra if isinstance(extra, dict) else {}), v)
            for k, v in value.items()
        }
    return value


# -- notifications ----------------------------------------------------------------------------------


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, made as Stripe documents it."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def event_body(event_type: str, obj: dict[str, Any]) -> bytes:
    """Stripe's fixture event carrying `obj`; checked against the vendored event schema."""
    event = copy.deepcopy(FIXTURES["event"])
    event.update(type=event_type, id=f"evt_{secrets.token_hex(12)}", created=int(time.time()))
    event["data"] = {"object": obj}
    errors = schema_errors(component("event"), event)
    assert not errors, errors
    return json.dumps(event).encode()


def checkout_session(**changes: Any) -> dict[str, Any]:
    """Stripe's fixture Checkout Session in EUR, with `changes`; checked against the vendored schema."""
    session = copy.deepcopy(FIXTURES["checkout.session"])
    session.update(currency="eur", currency_conversion=None, status="open", url=None)
    session.update(changes)
    errors = schema_errors(component("checkout.session"), session)
    assert not errors, errors
    return session


def refund_object(**changes: Any) -> dict[str, Any]:
    refund = copy.deepcopy(FIXTURES["refund"])
    refund.update(currency="eur")
    refund.update(changes)
    return refund


def charge_object(**changes: Any) -> dict[str, Any]:
    charge = copy.deepcopy(FIXTURES["charge"])
    charge.update(currency="eur")
    charge.update(changes)
    return charge


# -- the server -------------------------------------------------------------------------------------


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None
    authorization: str | None


@dataclass
class StripeStandIn:
    """The state the server keeps: what it was sent, what broke the contract, what it created."""

    requests: list[Recorded] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    base_url: str = ""

    def posts(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == "post" and r.path == path]


def _error(kind: str, message: str, code: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": kind, "message": message}
    if code:
        body["code"] = code
    return {"error": body}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass

    def do_GET(self):
        self._serve("get")

    def do_POST(self):
        self._serve("post")

    def _serve(self, method: str) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else url.query
        route, path_params = _route(method, url.path)
        if route is None:
            return self._answer(404, _error("invalid_request_error", f"Unrecognized request URL ({url.path})"))
        try:
            params = coerce(request_schema(method, route), decode_form(raw))
        except ValueError as error:
            params, problems = {}, [str(error)]
        else:
            problems = schema_errors(request_schema(method, route), params)
        key = self.headers.get("Idempotency-Key")
        with state.lock:
            state.requests.append(Recorded(method, route, params, key, self.headers.get("Authorization")))
            if problems:
                state.violations += [f"{method.upper()} {route}: {p}" for p in problems]
                return self._answer(400, _error("invalid_request_error", "; ".join(problems)), route, method)
            if method == "post" and key and key in state.replies:
                return self._answer(*state.replies[key], route, method)
            status, body = _handle(state, route, path_params, params)
            if method == "post" and key:
                state.replies[key] = (status, body)
        self._answer(status, body, route, method)

    def _answer(self, status: int, body: dict[str, Any], route: str | None = None, method: str = "") -> None:
        if route is not None:
            problems = schema_errors(response_schema(method, route, status), body)
            self.server.state.violations += [f"answer to {method.upper()} {route}: {p}" for p in problems]
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_{secrets.token_hex(7)}")
        self.end_headers()
        self.wfile.write(data)


def _route(method: str, path: str) -> tuple[str | None, dict[str, str]]:
    if method == "post" and path == "/v1/checkout/sessions":
        return path, {}
    if method == "post" and path == "/v1/refunds":
        return path, {}
    match = re.fullmatch(r"/v1/checkout/sessions/([^/]+)", path)
    if method == "get" and match:
        return "/v1/checkout/sessions/{session}", {"session": match.group(1)}
    return None, {}


def _handle(state: StripeStandIn, route: str, path_params: dict[str, str], params: dict[str, Any]):
    if route == "/v1/checkout/sessions":
        return _create_session(state, params)
    if route == "/v1/checkout/sessions/{session}":
        session = state.sessions.get(path_params["session"])
        if session is None:
            return 404, _error("invalid_request_error", "No such checkout.session", "resource_missing")
        return 200, session
    return _create_refund(state, params)


def _create_session(state: StripeStandIn, params: dict[str, Any]):
    now = int(time.time())
    expires_at = params.get("expires_at", now + 24 * 3600)
    if not now + 30 * 60 - 60 <= expires_at <= now + 24 * 3600 + 60:
        return 400, _error(
            "invalid_request_error", "expires_at must be 30 minutes to 24 hours away", "parameter_invalid"
        )
    items = params.get("line_items") or []
    total = sum(item["price_data"]["unit_amount"] * item.get("quantity", 1) for item in items)
    session_id = f"cs_test_{secrets.token_hex(16)}"
    session = checkout_session(
        id=session_id,
        created=now,
        expires_at=expires_at,
        mode=params.get("mode", "payment"),
        amount_subtotal=total,
        amount_total=total,
        currency=items[0]["price_data"]["currency"] if items else None,
        customer_email=params.get("customer_email"),
        client_reference_id=params.get("client_reference_id"),
        metadata=params.get("metadata", {}),
        locale=params.get("locale"),
        success_url=params.get("success_url"),
        cancel_url=params.get("cancel_url"),
        payment_intent=f"pi_{secrets.token_hex(12)}",
        payment_status="unpaid",
        url=f"{state.base_url}/c/pay/{session_id}",
    )
    state.sessions[session_id] = session
    return 200, session


def _create_refund(state: StripeStandIn, params: dict[str, Any]):
    intent = params.get("payment_intent")
    paid = {s["payment_intent"]: s for s in state.sessions.values()}
    if intent not in paid:
        return 400, _error("invalid_request_error", f"No such payment_intent: '{intent}'", "resource_missing")
    amount = params.get("amount", paid[intent]["amount_total"])
    if amount > paid[intent]["amount_total"]:
        return 400, _error("invalid_request_error", "Refund amount is greater than the charge", "amount_too_large")
    refund = refund_object(
        id=f"re_{secrets.token_hex(12)}", amount=amount, payment_intent=intent, created=int(time.time())
    )
    return 200, refund


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: StripeStandIn


def start() -> tuple[StripeStandIn, _Server]:
    """The server on a free loopback port, answering in a background thread; `.shutdown()` stops it."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = StripeStandIn(base_url=f"http://127.0.0.1:{server.server_address[1]}")
    threading.Thread(target=server.serve_forever, name="stripe-stand-in", daemon=True).start()
    return server.state, server
