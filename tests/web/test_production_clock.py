"""Production runs on the real clock: a stray PORTAL_NOW would stop time for deadlines and campaigns,
so production refuses to start with one unless PORTAL_DEMO_CLOCK=1 says it is a demo on purpose."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from config import DevConfig, ProdConfig, TestConfig
from portal import FixedClockError, create_app
from portal.clock import now

FROZEN = "2020-06-01T10:00:00+02:00"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_not_used")  # production pays by card through Stripe
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_not_used")


def test_production_refuses_to_start_with_a_fixed_clock(production_env):
    with pytest.raises(FixedClockError, match="PORTAL_DEMO_CLOCK=1"):
        create_app(ProdConfig, overrides={"PORTAL_NOW": FROZEN, "PORTAL_DEMO_CLOCK": False})


def test_production_starts_with_a_fixed_clock_when_the_demo_flag_says_so(production_env):
    app = create_app(ProdConfig, overrides={"PORTAL_NOW": FROZEN, "PORTAL_DEMO_CLOCK": True})
    with app.app_context():
        assert now() == datetime(2020, 6, 1, 8, 0, tzinfo=UTC)


def test_production_on_the_real_clock_starts(production_env):
    app = create_app(ProdConfig, overrides={"PORTAL_NOW": None, "PORTAL_DEMO_CLOCK": False})
    with app.app_context():
        assert abs((now() - datetime.now(UTC)).total_seconds()) < 60


@pytest.mark.parametrize("config", [DevConfig, TestConfig])
def test_the_demo_and_the_tests_keep_their_fixed_clock(config):
    assert create_app(config, overrides={"PORTAL_NOW": FROZEN}).config["PORTAL_NOW"] == FROZEN


def start_production(**env: str) -> subprocess.CompletedProcess:
    """`wsgi.py` loaded as gunicorn loads it, with an operator's environment."""
    base = {key: value for key, value in os.environ.items() if not key.startswith(("PORTAL_", "TEST_"))}
    base |= {"PORTAL_ENV": "production", "SECRET_KEY": "a-production-secret", "DATABASE_URL": "sqlite://"}
    base |= {"STRIPE_SECRET_KEY": "sk_test_not_used", "STRIPE_WEBHOOK_SECRET": "whsec_not_used"}
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_environment_variables_an_operator_sets_are_the_ones_checked():
    refused = start_production(PORTAL_NOW=FROZEN)
    assert refused.returncode != 0 and "FixedClockError" in refused.stderr, refused.stderr
    assert start_production(PORTAL_NOW=FROZEN, PORTAL_DEMO_CLOCK="1").returncode == 0
    assert start_production(PORTAL_NOW="").returncode == 0
