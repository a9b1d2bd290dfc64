"""The sign-in page's "Entra con SPID" and "Entra con CIE" in Chromium: the official button opens the
list of identity providers (a real list of links, keyboard usable), without JavaScript the same list
shows as it is; no axe-core violation at 1280 and 390 px, no Nu error; and a person signs in with SPID
through the demo identity provider (demo_idp/) — the real SAML exchange, in the browser."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.models import User
from portal.services.identity import metadata
from tests.browser.conftest import assert_accessible
from tests.demo_idp import DemoIdpServer
from tests.html_validation import vnu_errors
from tests.spid import spid_settings, write_sp_keys

pytestmark = pytest.mark.browser
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
PROVIDERS = {  # file name → (entity ID, name)
    "aruba.xml": ("https://loginspid.aruba.it", "Aruba ID"),
    "poste.xml": ("https://posteid.poste.it", "Poste ID"),
    "cie.xml": ("https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO", "CIE ID"),
}


def idp_metadata(entity_id: str, name: str) -> str:
    return (
        f'<md:EntityDescriptor xmlns:md="{MD}" entityID="{entity_id}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{entity_id}/sso"/>'
        "</md:IDPSSODescriptor>"
        f'<md:Organization><md:OrganizationName xml:lang="it">{name}</md:OrganizationName>'
        f'<md:OrganizationDisplayName xml:lang="it">{name}</md:OrganizationDisplayName>'
        f'<md:OrganizationURL xml:lang="it">{entity_id}</md:OrganizationURL></md:Organization></md:EntityDescriptor>'
    )


@pytest.fixture
def spid(app, live_server, tmp_path, monkeypatch):
    """SPID on, for the portal served at `live_server`, trusting the providers of `PROVIDERS`."""
    settings = spid_settings(tmp_path, site_url=live_server)
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    folder = Path(settings["SPID_IDP_METADATA_DIR"])
    for file, (entity_id, name) in PROVIDERS.items():
        (folder / file).write_text(idp_metadata(entity_id, name))
    return settings


def chooser_links(page) -> dict[str, str]:
    """Each SPID provider's link in the chooser: its name → its `idp`."""
    links = page.locator("#spid-idp-list a[href*='/accesso/spid']")
    return {
        links.nth(i).inner_text().strip(): parse_qs(urlsplit(links.nth(i).get_attribute("href")).query)["idp"][0]
        for i in range(links.count())
    }


def test_the_button_opens_the_list_of_identity_providers_by_keyboard(spid, page, live_server, axe_source, tmp_path):
    page.goto(f"{live_server}/it/accesso?next=/it/domanda")
    button = page.get_by_role("button", name="Entra con SPID")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#spid-idp-list")).to_be_hidden()
    expect(page.get_by_role("link", name="Entra con CIE")).to_be_visible()
    assert_accessible(page, axe_source)

    # Tab reaches the button (before the e-mail form), Enter opens the list, Tab goes down it.
    for _ in range(80):  # from the top of the page: the header's links, the breadcrumb, then the button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('[data-spid-toggle], #email')"):
            break
    assert page.evaluate("document.activeElement.textContent").strip() == "Entra con SPID"
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("list", name="Gestori di identità SPID")).to_be_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aruba ID"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus shows
    assert chooser_links(page) == {"Aruba ID": "https://loginspid.aruba.it", "Poste ID": "https://posteid.poste.it"}
    href = page.evaluate("document.activeElement.getAttribute('href')")
    assert parse_qs(urlsplit(href).query)["next"] == ["/it/domanda"]  # back where the person was going
    assert_accessible(page, axe_source)  # open, at both widths

    # Escape closes it and gives the focus back to the button.
    page.keyboard.press("Escape")
    expect(page.locator("#spid-idp-list")).to_be_hidden()
    assert page.evaluate("document.activeElement.matches('[data-spid-toggle]')")

    (tmp_path / "accesso.html").write_text(page.content())
    english = page.goto(f"{live_server}/en/accesso")
    expect(page.get_by_role("button", name="Sign in with SPID")).to_be_visible()
    (tmp_path / "login.html").write_bytes(english.body())
    assert vnu_errors([str(tmp_path / "accesso.html"), str(tmp_path / "login.html")]) == []


def test_without_javascript_the_identity_providers_are_a_plain_list_of_links(spid, page_without_js, live_server):
    page = page_without_js
    page.goto(f"{live_server}/it/accesso")
    expect(page.get_by_role("button", name="Entra con SPID")).to_be_hidden()
    expect(page.get_by_role("heading", name="Entra con SPID: scegli il tuo gestore di identità")).to_be_visible()
    expect(page.get_by_role("link", name="Aruba ID")).to_be_visible()
    expect(page.get_by_role("link", name="Poste ID")).to_be_visible()
    assert chooser_links(page) == {"Aruba ID": "https://loginspid.aruba.it", "Poste ID": "https://posteid.poste.it"}
    expect(page.get_by_role("link", name="Entra con CIE")).to_be_visible()


def test_with_password_sign_in_off_the_page_offers_spid_and_cie_only(
    app, spid, page, live_server, axe_source, monkeypatch
):
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", "off")
    page.goto(f"{live_server}/it/accesso")
    expect(page.get_by_role("button", name="Entra con SPID")).to_be_visible()
    assert page.get_by_label("Password").count() == 0
    assert page.get_by_role("link", name="Crea un account").count() == 0
    expect(page.get_by_text("l'account si crea al primo accesso")).to_be_visible()
    assert_accessible(page, axe_source)


def test_without_spid_the_page_offers_only_the_e_mail_and_password(app, page, live_server, monkeypatch):
    monkeypatch.setitem(app.config, "SPID_ENABLED", False)
    page.goto(f"{live_server}/it/accesso")
    expect(page.get_by_label("Indirizzo e-mail")).to_be_visible()
    assert page.locator("[data-spid-chooser]").count() == 0
    assert page.get_by_role("link", name="Entra con CIE").count() == 0


def test_a_person_signs_in_with_spid_through_the_demo_identity_provider(
    app, spid, page, live_server, axe_source, tmp_path
):
    write_sp_keys(spid)
    with app.app_context():
        (tmp_path / "sp.xml").write_bytes(metadata.signed_metadata())
    with DemoIdpServer(str(tmp_path / "sp.xml"), Path(spid["SPID_IDP_METADATA_DIR"])):
        page.goto(f"{live_server}/it/accesso")
        page.get_by_role("button", name="Entra con SPID").click()
        page.get_by_role("link", name="SPID demo (solo sviluppo)").click()
        # The portal's page posts the signed request at once; the demo IdP lists its test identities.
        expect(page.get_by_role("heading", name="Scegli chi sei")).to_be_visible()
        assert_accessible(page, axe_source)
        page.get_by_label("Chiara Ferrari").check()
        page.get_by_role("button", name="Accedi").click()
        expect(page.get_by_text("Hai effettuato l'accesso come Chiara Ferrari.")).to_be_visible()
    with app.app_context():
        person = db.session.scalars(db.select(User).filter_by(fiscal_code="FRRCHR78S43L219E")).one()
        assert person.email == "chiara.ferrari@example.org"
