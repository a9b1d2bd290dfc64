"""Rate limits: every value and every key, in one place; the views wear them as decorators.

The counters live in the store of RATELIMIT_STORAGE_URI — Redis as soon as there is more than one
process — so a limit is the same whatever the number of workers and servers. Three kinds of key:

- **the account**, for signing in: the password step counts per account (the e-mail typed), the
  code step per account waiting for its code, from any IP. The count belongs to the account's
  current password: the owner's way in, a new password through the e-mail link (a form the
  sign-in limits never block), starts a fresh count, while a guesser who lacks the new password
  gains nothing by it;
- **the e-mail address typed** into a public form that writes a record or sends an e-mail
  (course registration, pledge, sign-up, password reset);
- **the client's IP**: `request.remote_addr`. X-Forwarded-For is believed only for as many
  proxies as PROXY_FIX_X_FOR says (werkzeug's ProxyFix), so nobody picks an address of their own.

Signed-in people's writes count per account. Keys hold no e-mail address in clear: an HMAC under
SECRET_KEY, which every server shares.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

from flask import Flask, current_app, g, request, session
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.extensions import limiter
from portal.models import User
from portal.rendering import render_page
from portal.services.accounts import accounts

# --- The values --------------------------------------------------------------------------------
# Signing in, each step: N attempts an hour per account, whatever the workers and servers; the
# IP limit stops one machine from trying many accounts, and is loose enough for an office's NAT.
SIGN_IN_PER_ACCOUNT = "10 per hour"
SIGN_IN_PER_IP = "20 per minute;200 per hour"
# Public forms that write a record or send an e-mail: per address typed (no mailbox is flooded)
# and per IP.
SIGN_UP_PER_EMAIL = "3 per hour"
SIGN_UP_PER_IP = "10 per hour"
RESET_REQUEST_PER_EMAIL = "3 per hour"
RESET_REQUEST_PER_IP = "10 per hour"
# "Send the confirmation link again" (the check-your-email page, the sign-in of an unconfirmed account).
RESEND_CONFIRMATION_PER_EMAIL = "3 per hour"
RESEND_CONFIRMATION_PER_IP = "10 per hour"
COURSE_REGISTRATION_PER_EMAIL = "5 per hour"
COURSE_REGISTRATION_PER_IP = "30 per hour"
PLEDGE_PER_EMAIL = "10 per hour"
PLEDGE_PER_IP = "10 per minute;60 per hour"
# Following a campaign: each request may send the address a confirmation e-mail.
FOLLOW_PER_EMAIL = "5 per hour"
FOLLOW_PER_IP = "10 per minute;60 per hour"
# The newsletter's box (footer and page): each request may send the address a confirmation e-mail.
# The box is on shared, cached pages, so it carries no CSRF token (it acts for no session): these
# limits, per address typed and per IP, are what keeps it from being used to flood a mailbox.
NEWSLETTER_PER_EMAIL = "5 per hour"
NEWSLETTER_PER_IP = "10 per minute;60 per hour"
# "I miei sostegni": the link to a supporter's pledges, sent by e-mail.
SUPPORTER_LINK_PER_EMAIL = "3 per hour"
SUPPORTER_LINK_PER_IP = "10 per hour"
# Forms opened by a secret link (a new password, cancelling a registration): the link is the key.
SECRET_LINK_PER_IP = "10 per minute;60 per hour"
# Everything a signed-in person changes (application steps and their autosave, the back-office):
# far above what a person does, far below what a script would.
SIGNED_IN_WRITES_PER_ACCOUNT = "120 per minute;1500 per hour"

# Where the sign-in flow keeps the account that typed its password and owes its code
# (`portal.blueprints.auth.views.PENDING_KEY`; tests/web/test_rate_limits.py holds them equal).
PENDING_LOGIN = "pending_login"
SIGN_IN_ENDPOINTS = frozenset({"auth.login", "auth.second_factor", "auth.enrol"})
MAX_EMAIL_LENGTH = 254


# --- The keys ----------------------------------------------------------------------------------
def _mark(*parts: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, "\n".join(parts).encode(), hashlib.sha256).hexdigest()[:32]


def _account(user: User) -> str:
    """The account as it is now: a new password is a new count."""
    return f"account:{_mark('account', str(user.id), user.password_hash)}"


def client_ip() -> str:
    return f"ip:{request.remote_addr or 'unknown'}"


def _typed_email() -> str:
    value = request.form.get("email", "")
    return accounts.normalise_email(value) if isinstance(value, str) else ""


def typed_email() -> str:
    return f"email:{_mark('email', _typed_email())}"


def no_email_typed() -> bool:
    """A form sent without an address is refused by its own validation; only the IP limit counts it."""
    return not _typed_email()


def _cached(name: str, find: Callable[[], User | None]) -> User | None:
    """One look-up per request, however many limits ask."""
    if name not in g:
        setattr(g, name, find())
    return getattr(g, name)


def _account_typed() -> User | None:
    email = _typed_email()
    # An address the database could not store (a NUL byte, overlong) names no account.
    if not email or "\x00" in email or len(email) > MAX_EMAIL_LENGTH:
        return None
    return accounts.user_by_email(email)


def account_typed() -> str:
    """The password step: the account of the address typed; an unknown address counts the same way."""
    user = _cached("limits_account_typed", _account_typed)
    return _account(user) if user is not None else typed_email()


def _account_pending() -> User | None:
    pending = session.get(PENDING_LOGIN)
    pending_id = pending.get("id") if isinstance(pending, dict) else None
    return accounts.load_user(pending_id) if isinstance(pending_id, str) else None


def account_pending() -> str:
    user = _cached("limits_account_pending", _account_pending)
    return _account(user) if user is not None else ""


def no_account_pending() -> bool:
    """No sign-in under way (or it has expired): the view sends people back to the password step."""
    return _cached("limits_account_pending", _account_pending) is None


def account_or_ip() -> str:
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return client_ip()


# --- The decorators the views wear -------------------------------------------------------------
def _post(value: str, key: Callable[[], str], exempt_when: Callable[[], bool] | None = None):
    return limiter.limit(value, key_func=key, methods=["POST"], exempt_when=exempt_when)


def _all(*limits):
    """Several limits on one view; a request over any of them gets the 429."""

    def decorate(view):
        for limit in reversed(limits):
            view = limit(view)
        return view

    return decorate


sign_in = _all(
    _post(SIGN_IN_PER_ACCOUNT, account_typed, no_email_typed),
    _post(SIGN_IN_PER_IP, client_ip),
)
second_factor = _all(
    _post(SIGN_IN_PER_ACCOUNT, account_pending, no_account_pending),
    _post(SIGN_IN_PER_IP, client_ip),
)
sign_up = _all(_post(SIGN_UP_PER_EMAIL, typed_email, no_email_typed), _post(SIGN_UP_PER_IP, client_ip))
reset_request = _all(
    _post(RESET_REQUEST_PER_EMAIL, typed_email, no_email_typed),
    _post(RESET_REQUEST_PER_IP, client_ip),
)
resend_confirmation = _all(
    _post(RESEND_CONFIRMATION_PER_EMAIL, typed_email, no_email_typed),
    _post(RESEND_CONFIRMATION_PER_IP, client_ip),
)
course_registration = _all(
    _post(COURSE_REGISTRATION_PER_EMAIL, typed_email, no_email_typed),
    _post(COURSE_REGISTRATION_PER_IP, client_ip),
)
pledge = _all(_post(PLEDGE_PER_EMAIL, typed_email, no_email_typed), _post(PLEDGE_PER_IP, client_ip))
follow = _all(_post(FOLLOW_PER_EMAIL, typed_email, no_email_typed), _post(FOLLOW_PER_IP, client_ip))
newsletter = _all(_post(NEWSLETTER_PER_EMAIL, typed_email, no_email_typed), _post(NEWSLETTER_PER_IP, client_ip))
supporter_link = _all(
    _post(SUPPORTER_LINK_PER_EMAIL, typed_email, no_email_typed),
    _post(SUPPORTER_LINK_PER_IP, client_ip),
)
secret_link = _post(SECRET_LINK_PER_IP, client_ip)
signed_in_writes = _post(SIGNED_IN_WRITES_PER_ACCOUNT, account_or_ip)


# --- Wiring: the client's address, and the answer over a limit ----------------------------------
def init_app(app: Flask) -> None:
    """Called by the limiter's own `init_app` (portal/extensions.py)."""
    proxies = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    app.register_error_handler(RateLimitExceeded, too_many_requests)


def minutes_to_wait() -> int | None:
    current = limiter.current_limit
    if current is None:
        return None
    return max(1, round((current.reset_at - time.time()) / 60))


def too_many_requests(error: RateLimitExceeded):
    """The 429 page in the visitor's language, or its message alone for an htmx swap; on the
    sign-in steps it shows the owner's way in: a new password by e-mail."""
    return render_page(
        "errors/429.html",
        blocks=("message",),
        status=429,
        error=error,
        minutes=minutes_to_wait(),
        sign_in=request.endpoint in SIGN_IN_ENDPOINTS,
    )
