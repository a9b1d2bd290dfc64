"""Every page in every state is valid HTML for the Nu Html Checker (vnu.jar): zero errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.pages import CASES

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
