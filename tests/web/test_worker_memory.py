"""A web worker loads only what pages need: the heavy libraries of rare requests (receipt PDFs,
Stripe, SEPA files, uploads' PDF checks, calendar files, QR codes, the open-data catalogue, migrations)
load on first use.

Each one costs every gunicorn worker megabytes for its whole life (WeasyPrint ~30 MB, Alembic ~11 MB,
pypdf ~10 MB, Stripe ~6 MB...): the operator's memory budget per worker relies on this."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HEAVY = (
    "weasyprint",  # receipts (services/payments/receipts.py)
    "stripe",  # card payments (services/payments/providers/stripe_checkout.py)
    "sepaxml",  # SEPA credit transfer files (services/payments/sepa.py)
    "xmlschema",  # their validation
    "pypdf",  # uploaded PDFs (services/uploads.py), with Pillow and fontTools under it
    "PIL",
    "fontTools",
    "icalendar",  # calendar files (domain/ics.py)
    "segno",  # QR codes: second factor, bank transfers
    "rdflib",  # the open-data catalogue in DCAT-AP_IT (services/opendata_catalogue.py)
    "alembic",  # migrations (portal/extensions.py LazyMigrate)
    "flask_migrate",
)

# A worker of a deployment that takes cards through Stripe, after its first answer: every response
# asks the provider's checkout origin for the Content-Security-Policy.
WORKER = """
import json, sys
from portal import create_app
app = create_app(overrides={
    "PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_test_not_used",
    "STRIPE_WEBHOOK_SECRET": "whsec_not_used", "SQLALCHEMY_DATABASE_URI": "sqlite://",
})
response = app.test_client().get("/healthz")
print(json.dumps({
    "status": response.status_code,
    "csp": response.headers.get("Content-Security-Policy", ""),
    "loaded": sorted(name for name in sys.modules if name.split(".")[0] in HEAVY),
}))
"""


def _worker_after_first_answer() -> dict:
    env = {**os.environ, "PORTAL_ENV": "testing", "TEST_DATABASE_URL": "sqlite://"}
    code = f"HEAVY = {HEAVY!r}\n{WORKER}"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_worker_answers_without_loading_the_heavy_libraries():
    worker = _worker_after_first_answer()
    assert worker["status"] == 200
    assert "https://checkout.stripe.com" in worker["csp"]  # Stripe's origin read without Stripe
    assert worker["loaded"] == []


def test_migrations_still_run_through_flask_db(tmp_path):
    """`flask db` is Flask-Migrate's own group, loaded when asked: options and commands as before."""
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "PORTAL_NOW": "2020-06-01T10:00:00+02:00",
    }
    flask = [str(Path(sys.executable).with_name("flask")), "--app", "wsgi", "db"]

    def run(*args: str) -> str:
        done = subprocess.run(
            [*flask, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout + done.stderr

    assert "upgrade" in run("--help")
    run("-d", str(ROOT / "migrations"), "upgrade")
    assert "(head)" in run("current")
    assert "No new upgrade operations detected" in run("check")  # the models match the migrations
