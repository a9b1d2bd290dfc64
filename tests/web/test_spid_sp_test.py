"""spid-sp-test, the checker AgID's community maintains, against a live portal (gunicorn): the SP's
metadata, its AuthnRequest and the whole response test set posted to the ACS, for the profiles
spid-sp-public and cie-sp-public, with 0 failures.

The tool lives in a venv of its own (.venv-spid, requirements-spid-sp-test.txt: its dependencies pin
versions the portal's venv cannot hold); SPID_SP_TEST names another executable. Its test identity
provider signs with the key it ships, and its metadata (`--idp-metadata`) is what the portal trusts."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.servers import ROOT, AppServer, portal_env
from tests.spid import spid_settings, write_sp_keys

pytestmark = pytest.mark.servers

SPID_SP_TEST = os.environ.get("SPID_SP_TEST") or str(ROOT / ".venv-spid" / "bin" / "spid_sp_test")
SPID_IDP = "https://localhost:8443"
CIE_IDP = "https://localhost:8444"


def tool(*args: str, idp: str = SPID_IDP, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IDP_ENTITYID": idp}
    return subprocess.run([SPID_SP_TEST, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False)


def results(report: Path) -> dict[str, list[dict]]:
    """Every check of the report by category (metadata, authnrequest, response): its outcome."""
    found: dict[str, list[dict]] = {}

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, path + [key])
        elif isinstance(node, list):
            found.setdefault(path[2], []).extend(item for item in node if isinstance(item, dict))

    walk(json.loads(report.read_text()), [])
    return found


@pytest.fixture(scope="module")
def portal(app, tmp_path_factory):
    folder = tmp_path_factory.mktemp("spid")
    server = AppServer({}, workers=2, name="spid")
    site = f"http://127.0.0.1:{server.port}"
    settings = spid_settings(folder, site)
    write_sp_keys(settings)
    idp_dir = Path(settings["SPID_IDP_METADATA_DIR"])
    (idp_dir / "spid-sp-test.xml").write_text(tool("--idp-metadata", idp=SPID_IDP).stdout)
    (idp_dir / "cie-spid-sp-test.xml").write_text(tool("--idp-metadata", idp=CIE_IDP).stdout)
    server.env = portal_env(
        PORTAL_ENV="testing",
        TEST_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        SPID_ENABLED="1",
        **{name: str(value) for name, value in settings.items() if name != "SPID_ENABLED"},
    )
    with server:  # started on entering
        yield server


@pytest.mark.parametrize(
    ("profile", "metadata_path", "idp"),
    [("spid-sp-public", "/spid/metadata.xml", SPID_IDP), ("cie-sp-public", "/cie/metadata.xml", CIE_IDP)],
)
def test_spid_sp_test_finds_no_failure(portal, data, tmp_path, profile, metadata_path, idp):
    report = tmp_path / "report.json"
    run = tool(
        "--metadata-url",
        portal.url(metadata_path),
        "--authn-url",
        portal.url(f"/it/accesso/spid?idp={idp}"),
        "--extra",
        "-tr",
        "--profile",
        profile,
        "-rf",
        "json",
        "-o",
        str(report),
        "-d",
        "ERROR",
        idp=idp,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    checks = results(report)
    failed = [c for checks_of in checks.values() for c in checks_of if c.get("result") != "success"]
    assert failed == []
    # The three parts ran: metadata, AuthnRequest and every response of the set (at least the
    # 100-odd AgID lists; the CIE profile leaves out the two on the assertion Issuer's Format).
    assert len(checks["metadata_extra"]) > 80 and len(checks["authnrequest_extra"]) > 50
    assert len(checks["response"]) >= 109
