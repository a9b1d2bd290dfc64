"""Every page in every state is valid HTML for the Nu Html Checker (vnu.jar): zero errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.accounts import code_step, csrf_from, make_user, password_step, sign_in
from tests.pages import CASES
from tests.web.test_registrations import lesson_ids

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def test_every_page_is_valid_html(app, client, at, tmp_path):
    assert VNU.exists(), "vnu.jar is missing: `make test` runs `npm ci`"
    assert shutil.which("java"), "java is missing: `make test` installs a JRE"
    files = []
    for case, clock, path in CASES:
        at(clock)
        target = tmp_path / f"{case}.html"
        target.write_bytes(client.get(path).data)
        files.append(str(target))
    # Fragments htmx swaps in are checked inside a minimal document too.
    for case, path in (
        ("fragment-calc", "/it/bando/2020?costo=abc"),
        ("fragment-check", "/it/bando/verifica-requisiti?durata=x"),
    ):
        body = client.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
        target = tmp_path / f"{case}.html"
        target.write_text(f'<!doctype html><html lang="it"><head><title>f</title></head><body>{body}</body></html>')
        files.append(str(target))

    for case, html in back_office_pages(app):
        target = tmp_path / f"{case}.html"
        target.write_text(html)
        files.append(str(target))

    run = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr)["messages"]
    errors = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)


def back_office_pages(app) -> list[tuple[str, str]]:
    """The sign-in steps and the staff pages, with their error states."""
    pages = []
    enrolling = app.test_client()
    make_user(app, "new@comune.milano.example", enrolled=False)
    password_step(enrolling, "new@comune.milano.example")
    pages.append(("enrol", enrolling.get("/it/accesso/attiva-codice").get_data(as_text=True)))
    pages.append(("enrol-error", code_step(enrolling, "000000", path="accesso/attiva-codice").get_data(as_text=True)))

    staff = app.test_client()
    make_user(app, "staff@comune.milano.example")
    pages.append(("login-error", password_step(staff, "staff@comune.milano.example", "wrong").get_data(as_text=True)))
    password_step(staff, "staff@comune.milano.example")
    pages.append(("code", staff.get("/en/accesso/codice").get_data(as_text=True)))
    pages.append(("code-error", code_step(staff, "12", lang="en").get_data(as_text=True)))

    sign_in(staff, app, "staff@comune.milano.example")
    lesson = f"gestione/eventi/{lesson_ids(app)[0]}"
    for lang in ("it", "en"):
        for path in ("gestione/", "gestione/eventi", lesson, "gestione/registro"):
            response = staff.get(f"/{lang}/{path}")
            assert response.status_code == 200, path
            pages.append((f"{lang}-{path.replace('/', '-')}", response.get_data(as_text=True)))
    event = staff.get(f"/it/{lesson}").get_data(as_text=True)
    invalid = staff.post(
        f"/it/{lesson}",
        data={"csrf_token": csrf_from(event), "capacita": "x", "link_materiali": "javascript:x"},
    )
    pages.append(("event-errors", invalid.get_data(as_text=True)))
    return pages
