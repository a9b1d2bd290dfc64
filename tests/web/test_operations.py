"""What operators rely on: the demo loader, the clock setting, production settings."""

import pytest
from werkzeug.security import check_password_hash

from config import DevConfig, ProdConfig, TestConfig
from portal import MissingSettingError, create_app
from portal.clock import ClockConfigError
from portal.extensions import db
from portal.models import Edition, Event
from portal.services.accounts import accounts


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(db.select(db.func.count()).select_from(Edition)),
            db.session.scalar(db.select(db.func.count()).select_from(Event)),
        )


def test_seed_demo_twice_changes_nothing(app, runner):
    before = counts(app)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    runner.invoke(args=["seed-demo"])
    assert counts(app) == before == (2, 4)


@pytest.mark.parametrize("value", ["2020-06-01T10:00:00", "yesterday"])
def test_a_malformed_clock_stops_the_start(value):
    with pytest.raises(ClockConfigError):
        create_app(TestConfig, overrides={"PORTAL_NOW": value})


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    with pytest.raises(MissingSettingError):
        create_app(ProdConfig)


def test_real_deployments_hash_passwords_with_scrypt(monkeypatch):
    """The suite's cheap hash (TestConfig) is never the production or the demo one."""
    assert ProdConfig.PASSWORD_HASH_METHOD == DevConfig.PASSWORD_HASH_METHOD == "scrypt"
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_not_used")  # production pays by card through Stripe
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_not_used")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    # `make` exports the demo's PORTAL_NOW, which production refuses (tests/web/test_production_clock.py).
    with create_app(ProdConfig, overrides={"PORTAL_NOW": None}).app_context():
        stored = accounts.hash_password("correct horse battery")
    name, cost, *_ = stored.split("$")[0].split(":")
    assert name == "scrypt" and int(cost) >= 2**15, stored  # N of at least 32768, werkzeug's default
    assert check_password_hash(stored, "correct horse battery")
    assert TestConfig.PASSWORD_HASH_METHOD.startswith("pbkdf2:")


def test_the_migrations_match_the_models(app):
    """A model change without its Alembic revision fails here, on SQLite and PostgreSQL alike."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
