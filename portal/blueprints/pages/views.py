from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal import link_previews
from portal.blueprints.pages import bp, root_bp
from portal.clock import now
from portal.extensions import db, limiter
from portal.i18n import current_lang
from portal.labels import CAMPAIGN_STATE_LABELS
from portal.rendering import kept_page
from portal.services.editions.editions import current_edition
from portal.services.editions.overview import home_page
from portal.urls import absolute_url

# The text of each lives in templates/pages/content/<slug>.<lang>.html.
CONTENT_PAGES = ("accessibility", "privacy", "legal", "cookies", "contacts")


@root_bp.get("/")
def choose_language():
    lang = request.accept_languages.best_match(
        current_app.config["LANGUAGES"], default=current_app.config["BABEL_DEFAULT_LOCALE"]
    )
    response = redirect(url_for("pages.home", lang=lang), code=302)
    response.vary.add("Accept-Language")
    return response


@root_bp.get("/healthz")
@limiter.exempt
def healthz():
    """For load balancers: the app answers and the database too."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        current_app.logger.error("health check failed: %s", exc)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


# RFC 9116 recommends an expiry less than a year ahead: the file is made afresh on each request.
SECURITY_TXT_VALIDITY = timedelta(days=365)


@root_bp.get("/.well-known/security.txt")
def security_txt():
    """Where to report a vulnerability (RFC 9116), from the configuration."""
    config = current_app.config
    contact = config["SECURITY_CONTACT"]
    fields = (
        ("Contact", contact if ":" in contact else f"mailto:{contact}"),
        ("Expires", (now() + SECURITY_TXT_VALIDITY).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("Preferred-Languages", ", ".join(config["LANGUAGES"])),
        ("Canonical", absolute_url("root.security_txt")),
        ("Policy", config["SECURITY_POLICY_URL"] or absolute_url("root.security_policy")),
    )
    return Response("".join(f"{name}: {value}\n" for name, value in fields), mimetype="text/plain")


@root_bp.get("/security-policy.txt")
def security_policy():
    """The repository's SECURITY.md: how to report a vulnerability, and what happens next."""
    try:
        policy = (Path(current_app.root_path).parent / "SECURITY.md").read_text(encoding="utf-8")
    except FileNotFoundError:
        abort(404)
    return Response(policy, mimetype="text/plain")


@bp.get("/")
def home():
    """What a person can do today (`portal.domain.phase`), then the edition's dates."""
    # Its own parts are kept per data version (what a person can do today is a boundary of it).
    return kept_page("pages/home.html", "home", _home_context)


def _home_context() -> dict:
    edition = current_edition()
    home = home_page(edition, now()) if edition else None
    return dict(
        edition=edition,
        home=home,
        today=home.today if home else None,
        overview=home.overview if home else None,
        state_labels=CAMPAIGN_STATE_LABELS,  # the campaign cards' labels
        link_preview=link_previews.home_preview(),
    )


def _content_page(slug: str):
    if slug not in CONTENT_PAGES:
        abort(404)
    return render_template("pages/content_page.html", slug=slug, lang=current_lang())


@bp.get("/accessibilita")
def accessibility():
    return _content_page("accessibility")


@bp.get("/privacy")
def privacy():
    return _content_page("privacy")


@bp.get("/note-legali")
def legal():
    return _content_page("legal")


@bp.get("/cookie")
def cookies():
    return _content_page("cookies")


@bp.get("/contatti")
def contacts():
    return _content_page("contacts")
