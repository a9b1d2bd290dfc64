"""Response headers every page carries: nothing is loaded from elsewhere (but a campaign's video,
once asked for); nothing shown to a signed-in person stays in a cache; in production, browsers use
HTTPS only (HSTS)."""

from __future__ import annotations

from flask import Flask, Response, current_app, request, session
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from portal.services import transaction
from portal.services.payments import providers

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        # A campaign's video, framed only once the person asks for it (static/js/video.js): YouTube's
        # player without cookies, Vimeo's (portal/blueprints/campaigns/presentation.py `video_of`).
        "frame-src https://www.youtube-nocookie.com https://player.vimeo.com",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    )
)


def content_security_policy() -> str:
    """The policy, with form-action also allowing the configured card provider's checkout page: the
    pledge form and "Paga con carta" are answered with a redirect there, and browsers check
    form-action on every redirect of a form's submission. Each provider knows its own origin."""
    origin = providers.checkout_origin()
    if not origin:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


# The same files for every visitor (CSS, fonts, scripts, images): nothing personal in them, and
# caching them keeps the back-office fast.
SHARED_FILES = frozenset({"static", "media_photo"})


def no_store(response: Response) -> Response:
    """Kept by no cache, shared or the browser's (the back button, a shared computer)."""
    if "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "no-store"
    return response


def _signed_in() -> bool:
    if "_user_id" not in session:  # Flask-Login's key: anonymous visitors cost no query
        return False
    try:
        return current_user.is_authenticated
    except SQLAlchemyError:  # the database is down: whoever it is, store nothing
        transaction.discard()
        return True


def init_app(app: Flask) -> None:
    @app.after_request
    def secure_headers(response: Response) -> Response:
        if request.endpoint not in SHARED_FILES and _signed_in():
            no_store(response)
        hsts = current_app.config.get("STRICT_TRANSPORT_SECURITY")
        if hsts:
            response.headers["Strict-Transport-Security"] = hsts
        response.headers.setdefault("Content-Security-Policy", content_security_policy())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
