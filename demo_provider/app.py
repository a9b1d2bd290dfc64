"""The demo provider's web application: its API for the portal and its hosted checkout page."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Flask, jsonify, redirect, render_template, request

from demo_provider import CURRENCY, TEST_CARD_DECLINED, TEST_CARD_PAID, card_digits, grouped
from demo_provider.notifier import Notifier
from demo_provider.state import Checkout, IdempotencyConflict, RefundRefused, Status, Store
from demo_provider.words import LANGUAGES, WORDS, language, moment, money

MAX_AMOUNT_CENTS = 100_000_000  # one million euros: more is surely a mistake
MAX_TEXT = 500
MAX_URL = 2000
MAX_KEY = 255
SESSION_PLACEHOLDER = "{CHECKOUT_SESSION_ID}"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Settings:
    secret: bytes  # signs notifications and authorises API calls (Bearer)
    notify_url: str  # where the portal takes notifications
    fixed_now: datetime | None = None  # the provider's clock, like PORTAL_NOW; None: real time
    sweep_seconds: float = 5  # how often open checkouts are checked for expiry
    # Seconds between paying and notifying (0: before the person is sent back). More shows the
    # portal's page waiting for the provider's word, as with a real provider under load.
    notify_delay: float = 0


class Invalid(Exception):
    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def create_app(settings: Settings, *, clock: Callable[[], datetime] | None = None) -> Flask:
    if not settings.secret:
        raise ValueError("the demo provider needs PAYMENT_WEBHOOK_SECRET")
    if not is_loopback(settings.notify_url):
        raise ValueError("the demo provider only notifies a portal on 127.0.0.1")
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    store = Store()
    notifier = Notifier(store, settings.notify_url, settings.secret)
    app.extensions["demo_provider"] = {"store": store, "notifier": notifier, "settings": settings}

    def now() -> datetime:
        if clock is not None:
            return clock()
        return settings.fixed_now or datetime.now(UTC)

    def base_url() -> str:
        # How browsers reach this process: set by __main__ once it listens.
        return (app.config.get("BASE_URL") or request.host_url).rstrip("/")

    def expire_due() -> None:
        for event in store.expire_due(now()):
            notifier.send_later(event)

    def sweeping() -> None:
        stop = app.extensions["demo_provider"]["stop"]
        while not stop.wait(settings.sweep_seconds):
            expire_due()

    app.extensions["demo_provider"]["stop"] = threading.Event()
    app.extensions["demo_provider"]["sweeper"] = threading.Thread(target=sweeping, daemon=True)

    def authorised() -> None:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), b"Bearer " + settings.secret):
            raise Unauthorised

    @app.errorhandler(Unauthorised)
    def unauthorised(_):
        return jsonify(error="unauthorised"), 401

    @app.errorhandler(Invalid)
    def invalid(problem: Invalid):
        return jsonify(error="invalid", field=problem.field), 400

    @app.errorhandler(IdempotencyConflict)
    def conflict(_):
        return jsonify(error="idempotency_key_reused"), 409

    @app.after_request
    def secure(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    # --- the API ------------------------------------------------------------------------------

    @app.post("/v1/checkout")
    def create_checkout():
        authorised()
        key = idempotency_key()
        document = json_body()
        fields = {
            "reference": text(document, "reference", required=True),
            "amount_cents": amount(document),
            "description": text(document, "description", required=True),
            "email": text(document, "email"),
            "lang": language(document.get("lang")),
            "success_url": url(document, "success_url"),
            "cancel_url": url(document, "cancel_url"),
            "expires_at": instant(document, "expires_at"),
        }
        if document.get("currency") != CURRENCY:
            raise Invalid("currency")
        if fields["expires_at"] <= now():
            raise Invalid("expires_at")
        checkout, made = store.open_checkout(key, fields)
        answer = {"id": checkout.id, "url": f"{base_url()}/pay/{checkout.id}", "expires_at": iso(checkout.expires_at)}
        return jsonify(answer), 201 if made else 200

    @app.post("/v1/refunds")
    def create_refund():
        authorised()
        key = idempotency_key()
        document = json_body()
        payment_id = text(document, "payment_id", required=True)
        try:
            refund, event = store.refund(key, payment_id, amount(document))
        except RefundRefused as refused:
            status = 404 if refused.code == "unknown_payment" else 400
            return jsonify(error=refused.code), status
        if event is not None:
            # After the answer: the portal may still be inside the transaction that asked for it.
            notifier.send_later(event, delay=0.2)
        return jsonify(refund.as_json()), 201 if event is not None else 200

    @app.get("/v1/events")
    def events():
        authorised()
        return jsonify(events=store.event_list())

    # --- the hosted page ----------------------------------------------------------------------

    @app.get("/pay/<checkout_id>")
    def page(checkout_id: str):
        expire_due()
        checkout = store.get(checkout_id)
        if checkout is None:
            return not_found()
        return hosted_page(checkout, card=grouped(TEST_CARD_PAID))

    @app.post("/pay/<checkout_id>")
    def act(checkout_id: str):
        checkout = store.get(checkout_id)
        if checkout is None:
            return not_found()
        if request.form.get("action") == "cancel":
            return redirect(checkout.cancel_url, 303)
        typed = request.form.get("card", "")[:100]
        number = card_digits(typed)
        if checkout.status is Status.OPEN and now() < checkout.expires_at:
            if not number:
                return hosted_page(checkout, card=typed, error="missing", status=422)
            if number == TEST_CARD_DECLINED:
                return hosted_page(checkout, card=typed, error="declined", status=402)
            if number != TEST_CARD_PAID:
                return hosted_page(checkout, card=typed, error="invalid", status=422)
        checkout, event = store.pay(checkout.id, now())
        if event is not None:
            if checkout.status is Status.PAID and not settings.notify_delay:
                notifier.send_now(event)  # before the person is back on the portal (retried if refused)
            else:
                notifier.send_later(event, delay=settings.notify_delay if checkout.status is Status.PAID else 0)
        if checkout.status is Status.PAID:
            return redirect(success_url(checkout), 303)
        return hosted_page(checkout, status=410)

    def hosted_page(checkout: Checkout, *, card: str = "", error: str | None = None, status: int = 200):
        lang = language(request.values.get("lang"), checkout.lang)
        words = WORDS[lang]
        other = next(code for code in LANGUAGES if code != lang)
        state = checkout.status.value
        heading, message, back = words["title"], "", None
        if checkout.status is Status.EXPIRED:
            heading, back = words["expired_title"], checkout.cancel_url
            message = words["expired"].format(when=moment(checkout.expires_at, lang))
            status = 410
        elif checkout.status is Status.PAID:
            heading, message, back = words["paid_title"], words["paid"], success_url(checkout)
        html = render_template(
            "pay.html",
            lang=lang,
            w=words,
            other=other,
            other_name=WORDS[other]["other_language"],
            state=state,
            heading=heading,
            message=message,
            back=back,
            checkout=checkout,
            amount=money(checkout.amount_cents, lang),
            until=moment(checkout.expires_at, lang),
            action=f"/pay/{checkout.id}",
            card=card,
            error=words[error] if error else None,
        )
        return html, status

    def not_found():
        lang = language(request.values.get("lang"))
        words = WORDS[lang]
        other = next(code for code in LANGUAGES if code != lang)
        html = render_template(
            "pay.html",
            lang=lang,
            w=words,
            other=other,
            other_name=WORDS[other]["other_language"],
            state="missing",
            heading=words["not_found_title"],
            message=words["not_found"],
            back=None,
            error=None,
        )
        return html, 404

    return app


class Unauthorised(Exception):
    pass


def success_url(checkout: Checkout) -> str:
    return checkout.success_url.replace(SESSION_PLACEHOLDER, checkout.id)


def is_loopback(address: str) -> bool:
    parts = urlsplit(address)
    return parts.scheme in ("http", "https") and parts.hostname in ("127.0.0.1", "localhost", "::1")


def iso(moment_: datetime) -> str:
    return moment_.astimezone(UTC).isoformat()


def idempotency_key() -> str:
    key = request.headers.get("Idempotency-Key", "")
    if not key or len(key) > MAX_KEY:
        raise Invalid("Idempotency-Key")
    return key


def json_body() -> dict:
    document = request.get_json(silent=True)
    if not isinstance(document, dict):
        raise Invalid("body")
    return document


def text(document: dict, name: str, *, required: bool = False) -> str:
    value = document.get(name, "")
    if value is None and not required:
        value = ""
    if not isinstance(value, str) or len(value) > MAX_TEXT or (required and not value.strip()):
        raise Invalid(name)
    return value


def amount(document: dict) -> int:
    value = document.get("amount_cents")
    if type(value) is not int or not 0 < value <= MAX_AMOUNT_CENTS:
        raise Invalid("amount_cents")
    return value


def url(document: dict, name: str) -> str:
    value = document.get(name)
    if not isinstance(value, str) or len(value) > MAX_URL:
        raise Invalid(name)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(name)
    return value


def instant(document: dict, name: str) -> datetime:
    value = document.get(name)
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise Invalid(name)
    return parsed.astimezone(UTC)
