"""In Chromium, with the demo identity provider (demo_idp/): a person signed in with their password
links SPID from "Il tuo account", then "Esci" ends the identity provider's session too (single logout).
The account page has no axe-core violation, with the chooser open or closed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import AuditEntry, Role, User
from portal.services.identity import metadata
from tests.accounts import PASSWORD, make_user
from tests.browser.conftest import assert_accessible
from tests.demo_idp import DemoIdpServer
from tests.spid import spid_settings, write_sp_keys

pytestmark = pytest.mark.browser
ANNA = "anna.ferrari@example.org"
CHIARA = "FRRCHR78S43L219E"  # a test identity of demo_idp/identities.py


@pytest.fixture
def spid(app, data, live_server, tmp_path, monkeypatch):
    settings = spid_settings(tmp_path, site_url=live_server)
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    write_sp_keys(settings)
    with app.app_context():
        (tmp_path / "sp.xml").write_bytes(metadata.signed_metadata())
    with DemoIdpServer(str(tmp_path / "sp.xml"), Path(settings["SPID_IDP_METADATA_DIR"])):
        yield settings


def test_a_password_account_links_spid_and_signing_out_ends_both_sessions(app, spid, page, live_server, axe_source):
    make_user(app, ANNA, Role.APPLICANT, enrolled=False)
    page.goto(f"{live_server}/it/accesso")
    page.get_by_label("Indirizzo e-mail").fill(ANNA)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi", exact=True).click()
    page.get_by_role("link", name="Il tuo account").click()
    expect(page.get_by_role("heading", name="Collega SPID o CIE")).to_be_visible()
    assert_accessible(page, axe_source)

    page.get_by_role("button", name="Entra con SPID").click()
    assert_accessible(page, axe_source)  # the chooser open
    page.get_by_role("link", name="SPID demo (solo sviluppo)").click()
    expect(page.get_by_role("heading", name="Scegli chi sei")).to_be_visible()
    page.get_by_label("Chiara Ferrari").check()
    page.get_by_role("button", name="Accedi").click()
    expect(page.get_by_text("Il tuo account è collegato a SPID e CIE")).to_be_visible()
    expect(page.locator("#spid-link-status")).to_have_text(f"Collegato: codice fiscale {CHIARA}.")
    with app.app_context():
        anna = db.session.scalars(db.select(User).filter_by(email=ANNA)).one()
        assert anna.fiscal_code == CHIARA
        linked = db.session.scalars(db.select(AuditEntry).filter_by(action="account.spid_linked")).one()
        assert linked.actor_id == anna.id

    # "Esci": the portal's session ends, the browser posts the signed LogoutRequest to the identity
    # provider, whose LogoutResponse comes back to /spid/sls.
    with page.expect_request(re.compile(r".*/spid/sls$")):
        page.get_by_role("button", name=re.compile("^Esci")).click()
    expect(page.get_by_text("Hai lasciato l'area riservata.")).to_be_visible()
    expect(page.get_by_role("link", name="Accedi", exact=True)).to_be_visible()
    page.goto(f"{live_server}/it/il-tuo-account")
    assert "/accesso" in page.url  # signed out here
