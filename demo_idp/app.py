"""The demo identity provider's web application: its metadata, the chooser of test identities, the
auto-posting answers to the service provider, single logout."""

from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import urlsplit

from flask import Flask, Response, render_template, request

from demo_idp import DISPLAY_NAME
from demo_idp.identities import IDENTITIES, identity
from demo_idp.saml import DemoIdentityProvider, Outgoing, PendingRequest, Unacceptable

PENDING_SECONDS = 15 * 60  # from the service provider's request to the person's choice
MAX_PENDING = 1000  # a demo for one developer: a bound, so a loop elsewhere cannot fill the memory


def _security_headers(form_action: str = "'self'") -> dict[str, str]:
    return {
        "Content-Security-Policy": (
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
            f"form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }


class Pending:
    """The requests read, waiting for the person's choice, each under a random key (in memory)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, tuple[float, PendingRequest]] = {}

    def add(self, item: PendingRequest) -> str:
        key = secrets.token_urlsafe(24)
        with self._lock:
            now = time.monotonic()
            self._items = {k: v for k, v in self._items.items() if now - v[0] < PENDING_SECONDS}
            if len(self._items) >= MAX_PENDING:
                self._items.pop(next(iter(self._items)))
            self._items[key] = (now, item)
        return key

    def take(self, key: str) -> PendingRequest | None:
        with self._lock:
            found = self._items.pop(key, None)
        if found is None or time.monotonic() - found[0] >= PENDING_SECONDS:
            return None
        return found[1]


def create_app(idp: DemoIdentityProvider) -> Flask:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
    pending = Pending()
    app.extensions["demo_idp"] = {"idp": idp, "pending": pending}

    @app.after_request
    def secure(response: Response) -> Response:
        for name, value in _security_headers().items():
            response.headers.setdefault(name, value)
        return response

    def page(template: str, status: int = 200, **context) -> Response:
        return Response(render_template(template, name=DISPLAY_NAME, **context), status=status)

    def refused(reason: str) -> Response:
        app.logger.warning("demo IdP: %s", reason)
        return page("refused.html", status=400, reason=reason)

    def post_to(outgoing: Outgoing, title: str, lead: str) -> Response:
        answer = page("post.html", title=title, lead=lead, message=outgoing)
        parts = urlsplit(outgoing.destination)
        origin = f"{parts.scheme}://{parts.netloc}"
        answer.headers.update(_security_headers(form_action=origin))
        return answer

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/metadata.xml")
    def metadata():
        return Response(idp.metadata(), mimetype="application/samlmetadata+xml")

    @app.post("/sso")
    def single_sign_on():
        try:
            item = idp.read_authn_request(request.form.get("SAMLRequest", ""), request.form.get("RelayState", ""))
        except Unacceptable as problem:
            return refused(str(problem))
        return page("choose.html", key=pending.add(item), identities=IDENTITIES, level=item.level)

    @app.post("/sso/answer")
    def answer():
        item = pending.take(request.form.get("key", ""))
        if item is None:
            return refused("no request waiting under this key (expired, or already answered)")
        if "cancel" in request.form:
            return post_to(
                idp.cancelled_response(item),
                "Accesso annullato",
                "Torni al servizio senza accedere.",
            )
        person = identity(request.form.get("identity"))
        if person is None:
            # Nobody chosen: the same request waits again, the page says what is missing.
            return page(
                "choose.html", status=400, key=pending.add(item), identities=IDENTITIES, level=item.level, missing=True
            )
        return post_to(
            idp.authn_response(item, person),
            "Ritorno al servizio",
            f"Accesso come {person.name} {person.family_name}.",
        )

    @app.post("/slo")
    def single_logout():
        try:
            outgoing = idp.logout_response(request.form.get("SAMLRequest", ""), request.form.get("RelayState", ""))
        except Unacceptable as problem:
            return refused(str(problem))
        return post_to(outgoing, "Uscita", "Sei uscito dal gestore di identità demo.")

    @app.errorhandler(405)
    def not_posted(_):
        return refused("this address takes the HTTP-POST binding only"), 405

    @app.errorhandler(404)
    def not_found(_):
        return page("refused.html", status=404, reason="not found")

    return app
