"""The Crowdfunding Civico portal: `create_app()` builds it."""

from __future__ import annotations

import os

from flask import Flask

from config import Config, config_from_env
from portal import i18n
from portal.clock import parse_fixed_now
from portal.extensions import babel, csrf, db, limiter, migrate


class MissingSettingError(RuntimeError):
    """Production refuses to start without the settings it cannot guess."""


class FixedClockError(RuntimeError):
    """Production refuses a fixed clock (PORTAL_NOW): deadlines and campaigns would stop."""


def create_app(config: type[Config] | None = None, overrides: dict | None = None) -> Flask:
    config = config or config_from_env()
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config)
    if overrides:
        app.config.update(overrides)
    _check_required(app, config)
    if app.config.get("PORTAL_NOW"):
        parse_fixed_now(app.config["PORTAL_NOW"])  # a malformed clock stops the start, not a request
        if app.config.get("REFUSES_FIXED_CLOCK") and not app.config.get("PORTAL_DEMO_CLOCK"):
            raise FixedClockError(
                "PORTAL_NOW is set, and production runs on the real clock: unset it "
                "(or set PORTAL_DEMO_CLOCK=1 for a demonstration on purpose)"
            )

    from portal import models  # noqa: F401 - registers the models for Alembic

    db.init_app(app)
    from portal.services import data_version

    data_version.init_app(app)  # every commit through db.session bumps the data version
    from portal import http_cache

    http_cache.init_app(app)  # ahead of every other hook: a stored page is served before them
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    i18n.init_app(app)

    from portal import access, cli, converters, errors, labels, layout, rendering, security

    converters.init_app(app)  # before any route is added: a rule binds its converters then
    from portal.blueprints import (
        admin,
        applications,
        auth,
        call,
        campaigns,
        coaching,
        courses,
        evaluation,
        identity,
        pages,
        payments,
        transparency,
    )

    app.register_blueprint(pages.bp)
    app.register_blueprint(pages.root_bp)
    app.register_blueprint(call.bp)
    app.register_blueprint(courses.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(applications.bp)
    app.register_blueprint(evaluation.bp)
    app.register_blueprint(campaigns.bp)
    app.register_blueprint(coaching.bp)
    app.register_blueprint(payments.bp)
    app.register_blueprint(transparency.bp)
    app.register_blueprint(identity.bp)
    labels.init_app(app)
    rendering.init_app(app)
    access.init_app(app)
    errors.init_app(app)
    layout.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    return app


def _check_required(app: Flask, config: type[Config]) -> None:
    for name in getattr(config, "REQUIRED", ()):
        env_name = "DATABASE_URL" if name == "SQLALCHEMY_DATABASE_URI" else name
        if not os.environ.get(env_name):
            raise MissingSettingError(f"{env_name} must be set in production")
    from portal.domain.sign_in import PasswordSignIn

    allowed = [mode.value for mode in PasswordSignIn]
    if app.config.get("PASSWORD_SIGN_IN") not in allowed:  # refused at start, never at someone's sign-in
        raise MissingSettingError(f"PASSWORD_SIGN_IN must be one of {', '.join(allowed)}")
