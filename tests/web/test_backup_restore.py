"""Nothing lost: the backup and restore of docs/OPERATIONS.md, run as written on a busy demo.

The demo (`flask seed-demo`: editions, accounts, applications, 21 campaigns with their pledges,
grants and closings) gets attachments uploaded through an app server; it is backed up with
`pg_dump -Fc` and `tar`, its server is stopped and removed, and the backup is restored into an
empty second server. Every table, sequence, total, co-funding ledger figure and attachment file is
then the same, and the restored portal serves the attachments and takes new ones.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.clock import ROME
from portal.extensions import db
from portal.models import Edition
from portal.services.cofunding.ledger import ledger_of
from tests.applicants import pdf_bytes
from tests.servers import ROOT, AppServer, Postgres, flask, portal_app, portal_env
from tests.visitor import Browser

pytestmark = pytest.mark.servers

OPERATIONS = (ROOT / "docs" / "OPERATIONS.md").read_text(encoding="utf-8")
BACKUP = [
    'pg_dump --format=custom --file="$BACKUP/portal.dump" "$PGURL"',
    'tar --create --gzip --file="$BACKUP/uploads.tar.gz" --directory="$UPLOAD_DIR" .',
    'psql -X -A -t -v ON_ERROR_STOP=1 -f docs/backup-totals.sql "$PGURL" > "$BACKUP/totals.txt"',
]
RESTORE = [
    'pg_restore --no-owner --exit-on-error --single-transaction --dbname="$PGURL" "$BACKUP/portal.dump"',
    'mkdir -p "$UPLOAD_DIR" && tar --extract --gzip --file="$BACKUP/uploads.tar.gz" --directory="$UPLOAD_DIR"',
]
CHECK_TOTALS = 'psql -X -A -t -v ON_ERROR_STOP=1 -f docs/backup-totals.sql "$PGURL" | diff "$BACKUP/totals.txt" -'
CHECK_FILES = (
    'psql -X -A -t -c "SELECT sha256 || \'  \' || storage_key FROM attachment" "$PGURL" '
    '| (cd "$UPLOAD_DIR" && sha256sum --check --quiet --strict)'
)
DEMO_APPLICANT = ("corvetto@demo.example", "demo-applicant-2020")  # the README's draft in progress
UPLOADS = {f"allegato-{n}.pdf": pdf_bytes(pages=n) for n in (1, 2, 3, 4)}
# The ledger is read as the tracker shows it while the 2020 campaigns run, and after they ended.
MOMENTS = (datetime(2020, 11, 15, 12, 0, tzinfo=ROME), datetime(2021, 2, 1, 12, 0, tzinfo=ROME))


@pytest.fixture(autouse=True)
def _seeded():
    """These tests bring their own database servers: the suite's is left alone."""


@pytest.fixture(autouse=True)
def one_commit_per_request():
    """The requests go to app servers in other processes, out of the suite's commit counter's sight."""


def test_the_operations_page_documents_the_commands_this_test_runs():
    for command in (*BACKUP, *RESTORE, CHECK_TOTALS, CHECK_FILES):
        assert command in OPERATIONS, command


def test_a_backup_restored_into_an_empty_server_has_every_figure_and_file(tmp_path):
    backup, uploads, restored = tmp_path / "backup", tmp_path / "uploads", tmp_path / "restored-uploads"
    with Postgres() as source:
        source.create_database("portal")
        env = _demo_env(source, uploads, tmp_path)
        flask(env, "db", "upgrade")
        flask(env, "seed-demo")
        with AppServer(env, workers=1, name="demo") as server:
            application_id = _upload_attachments(server, UPLOADS)
            _register_for_the_course(server, people=3)
        _shell(source, 'mkdir -p "$BACKUP"', *BACKUP, BACKUP=backup, UPLOAD_DIR=uploads)
        before = _figures(source, uploads)
    # The first server and its data are gone: the backup is all there is.

    with Postgres() as target:
        target.create_database("portal")
        assert _tables(target) == [], "the restore starts from an empty database"
        _shell(target, *RESTORE, BACKUP=backup, UPLOAD_DIR=restored)
        after = _figures(target, restored)
        for part in before:
            assert after[part] == before[part], part
        assert _shell(target, CHECK_TOTALS, BACKUP=backup, UPLOAD_DIR=restored) == ""
        assert _shell(target, CHECK_FILES, BACKUP=backup, UPLOAD_DIR=restored) == ""

        env = _demo_env(target, restored, tmp_path)
        flask(env, "db", "upgrade")  # the code is the dump's version: nothing to migrate
        with AppServer(env, workers=1, name="restored") as server:
            _check_the_restored_portal(server, application_id)

        # The file check is not vacuous: a damaged file is named.
        damaged = next(path for path in restored.iterdir() if path.name in before["attachment keys"])
        damaged.write_bytes(damaged.read_bytes() + b"\n")
        with pytest.raises(RuntimeError, match=f"{damaged.name}: FAILED"):
            _shell(target, CHECK_FILES, BACKUP=backup, UPLOAD_DIR=restored)


def _demo_env(pg: Postgres, uploads: Path, tmp_path: Path) -> dict[str, str]:
    """`make run`'s configuration (the demo clock: 1 June 2020) on the throwaway PostgreSQL."""
    return portal_env(
        PORTAL_ENV="development",
        DATABASE_URL=pg.url("portal"),
        UPLOAD_DIR=str(uploads),
        MAIL_DIR=str(tmp_path / "mail"),
    )


def _shell(pg: Postgres, *commands: str, **env: Path) -> str:
    """Run the commands as an operator would, in bash, from the project's folder; their output."""
    settings = {"PATH": f"{pg.bin}:{os.environ['PATH']}", "PGURL": pg.dsn("portal")}
    settings |= {name: str(value) for name, value in env.items()}
    script = "set -euo pipefail\n" + "\n".join(commands)
    done = subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=settings, capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script}\nexited with {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _sign_in(server: AppServer) -> Browser:
    browser = Browser()
    email, password = DEMO_APPLICANT
    token = browser.csrf_token(server.url("/it/accesso"))
    answer = browser.post(server.url("/it/accesso"), {"csrf_token": token, "email": email, "password": password})
    assert answer.status == 302, answer.text[:500]
    return browser


def _upload_attachments(server: AppServer, files: dict[str, bytes]) -> int:
    """Upload the files to the demo draft (CC2020 in progress) through its form; the draft's id."""
    browser = _sign_in(server)
    resume = browser.get(server.url("/it/domanda/riprendi"))
    application_id = int(re.search(r"/domanda/(\d+)/", resume.location).group(1))
    form = server.url(f"/it/domanda/{application_id}/allegati")
    for name, content in files.items():
        answer = browser.post(form, {"csrf_token": browser.csrf_token(form)}, files={"file": (name, content)})
        assert answer.status == 302, answer.text[:500]
    return application_id


def _register_for_the_course(server: AppServer, people: int) -> None:
    """Course registrations (the demo's 1 June: the lessons ahead take them): registrants, their
    registrations and the confirmation e-mails in the outbox."""
    browser = Browser()
    url = server.url("/it/calendario/iscrizione")
    page = browser.get(url).text
    lessons = re.findall(r'name="lezioni"[^>]* value="(\d+)"', page)
    assert lessons, "the demo's course takes registrations"
    for n in range(people):
        fields = {"csrf_token": browser.csrf_token(url), "lezioni": lessons, "nome": f"Persona {n}", "privacy": "y"}
        answer = browser.post(url, {**fields, "email": f"persona{n}@example.org"})
        assert "Richiesta ricevuta" in answer.text


def _figures(pg: Postgres, uploads: Path) -> dict[str, object]:
    """Everything that must survive: each table's rows (count and digest), the sequences, the
    documented totals, the co-funding ledger as the portal computes it, the attachment files."""
    tables = _tables(pg)
    digests = "\n".join(
        f"SELECT '{t}', count(*), md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) FROM \"{t}\" r;"
        for t in tables
    )
    sequences = "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1;"
    files = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in uploads.iterdir() if path.is_file()}
    recorded = dict(
        line.split("|") for line in pg.psql("portal", "SELECT storage_key, sha256 FROM attachment;").split()
    )
    assert set(recorded.items()) <= set(files.items()), "an attachment's file is missing or damaged"
    assert len(recorded) == 3 + len(UPLOADS), "the demo's three submitted applications' and the uploaded ones"
    return {
        "tables": pg.psql("portal", digests),
        "sequences": pg.psql("portal", sequences),
        "totals": pg.psql("portal", (ROOT / "docs" / "backup-totals.sql").read_text()),
        "ledger": _ledger(pg, uploads),
        "attachment keys": set(recorded),
        "files": files,
    }


def _tables(pg: Postgres) -> list[str]:
    return pg.psql("portal", "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1;").split()


def _ledger(pg: Postgres, uploads: Path) -> list[tuple]:
    """Each edition's co-funding ledger (`ledger_of`, what the tracker and the selection read)."""
    figures = []
    with portal_app(pg.url("portal"), uploads) as app, app.app_context():
        for edition in db.session.scalars(sa.select(Edition).order_by(Edition.year)):
            for moment in MOMENTS:
                ledger = ledger_of(edition, moment)
                campaigns = [(line.campaign.slug, line.state, line.share) for line in ledger.campaigns]
                areas = [(area.municipio, area.projects, area.share) for area in ledger.areas]
                figures.append(
                    (edition.year, moment, ledger.position, ledger.raised_cents, ledger.goal_cents, ledger.target_cents)
                    + (ledger.project_count, ledger.not_public, campaigns, areas)
                )
    assert any(position.committed_cents for _, _, position, *_ in figures), "the demo has grants committed"
    return figures


def _check_the_restored_portal(server: AppServer, application_id: int) -> None:
    """The applicant downloads every uploaded file as it was, and uploads one more (the sequences
    were restored with the rows: the new attachment gets an id of its own)."""
    browser = _sign_in(server)
    page = browser.get(server.url(f"/it/domanda/{application_id}/allegati")).text
    links = re.findall(rf'href="(/it/domanda/{application_id}/allegati/\d+)"', page)
    downloaded = sorted(browser.get(server.url(link)).body for link in links)
    assert downloaded == sorted(UPLOADS.values())
    _upload_attachments(server, {"allegato-dopo-il-ripristino.pdf": pdf_bytes(pages=5)})
    page = browser.get(server.url(f"/it/domanda/{application_id}/allegati")).text
    assert "allegato-dopo-il-ripristino.pdf" in page
