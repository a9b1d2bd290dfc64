"""The demo SPID identity provider (`demo_idp/`, `make run` and the tests): its people have valid codici
fiscali, its metadata is signed and the portal lists it, and it answers the portal's signed requests
with signed responses the portal's strict checks accept — the real SAML exchange, with no password."""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import pytest
from defusedxml import ElementTree
from stdnum.it import codicefiscale

from demo_idp import DISPLAY_NAME, METADATA_FILE
from demo_idp.identities import IDENTITIES
from portal.extensions import db
from portal.models import User
from portal.services.identity import metadata
from portal.services.identity.providers import configured_providers
from tests.demo_idp import DemoIdpServer, form_action, form_fields
from tests.html_validation import vnu_errors
from tests.spid import spid_settings, write_sp_keys
from tests.visitor import Browser

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"


def test_every_test_identity_has_a_valid_codice_fiscale_and_all_four_attributes():
    assert len(IDENTITIES) >= 3
    for person in IDENTITIES:
        assert codicefiscale.is_valid(person.fiscal_code), person
        assert person.fiscal_number == f"TINIT-{person.fiscal_code}"
        assert set(person.attributes()) == {"fiscalNumber", "name", "familyName", "email"}
    assert len({person.fiscal_code for person in IDENTITIES}) == len(IDENTITIES)


@pytest.fixture(scope="module")
def sp_folder(app, tmp_path_factory):
    """The portal's SPID settings and keys, and its signed metadata as a file for the demo IdP."""
    folder = tmp_path_factory.mktemp("spid")
    settings = spid_settings(folder)
    write_sp_keys(settings)
    saved = {name: app.config.get(name) for name in settings}
    app.config.update(settings)
    try:
        with app.app_context():
            (folder / "sp.xml").write_bytes(metadata.signed_metadata())
    finally:
        app.config.update(saved)
    return folder, settings


@pytest.fixture(scope="module")
def demo_idp(sp_folder):
    folder, settings = sp_folder
    with DemoIdpServer(str(folder / "sp.xml"), Path(settings["SPID_IDP_METADATA_DIR"])) as server:
        yield server


@pytest.fixture
def portal(app, data, sp_folder, monkeypatch):
    """The portal (Flask's test client) trusting the identity providers of the demo's folder."""
    for name, value in sp_folder[1].items():
        monkeypatch.setitem(app.config, name, value)
    return app


def test_its_metadata_is_signed_by_its_own_key_and_the_portal_lists_it(demo_idp, sp_folder, tmp_path):
    folder = Path(sp_folder[1]["SPID_IDP_METADATA_DIR"])
    written = (folder / METADATA_FILE).read_bytes()
    served = Browser().get(f"{demo_idp.url}/metadata.xml")
    assert served.status == 200 and served.headers["Content-Type"].startswith("application/samlmetadata+xml")
    root = ElementTree.fromstring(served.body)
    assert root.tag == f"{{{MD}}}EntityDescriptor" and root.get("entityID") == demo_idp.entity_id
    descriptor = root.find(f"{{{MD}}}IDPSSODescriptor")
    assert descriptor is not None and descriptor.get("WantAuthnRequestsSigned") == "true"
    sso = descriptor.find(f"{{{MD}}}SingleSignOnService")
    assert sso.get("Location") == f"{demo_idp.url}/sso" and sso.get("Binding").endswith("HTTP-POST")
    assert descriptor.find(f"{{{MD}}}SingleLogoutService").get("Location") == f"{demo_idp.url}/slo"
    # Signed with the key of the certificate it publishes (xmlsec1 checks the enveloped signature).
    certificate = descriptor.find(f".//{{{DS}}}X509Certificate").text.strip()
    pem = tmp_path / "idp.pem"
    pem.write_text(f"-----BEGIN CERTIFICATE-----\n{certificate}\n-----END CERTIFICATE-----\n")
    document = tmp_path / "metadata.xml"
    document.write_bytes(written)
    checked = subprocess.run(
        ["xmlsec1", "--verify", "--pubkey-cert-pem", str(pem), "--id-attr:ID", f"{MD}:EntityDescriptor", str(document)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(written.replace(f"{demo_idp.url}/sso".encode(), b"http://127.0.0.1:1/sso"))
    forged = subprocess.run(
        ["xmlsec1", "--verify", "--pubkey-cert-pem", str(pem), "--id-attr:ID", f"{MD}:EntityDescriptor", str(tampered)],
        capture_output=True,
        check=False,
    )
    assert forged.returncode != 0
    [listed] = configured_providers(str(folder))
    assert (listed.entity_id, listed.name, listed.kind) == (demo_idp.entity_id, DISPLAY_NAME, "spid")


def start(client, demo_idp) -> str:
    """The portal's page posting the signed AuthnRequest to the demo IdP (its HTML)."""
    page = client.get("/it/accesso/spid", query_string={"idp": demo_idp.entity_id})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert form_action(html) == f"{demo_idp.url}/sso"
    return html


def test_a_person_picks_a_test_identity_and_is_signed_in_with_its_codice_fiscale(portal, client, demo_idp, tmp_path):
    browser = Browser()
    chooser = demo_idp.chooser(browser, start(client, demo_idp))
    assert chooser.status == 200
    assert '<html lang="it">' in chooser.text and "<h1>Scegli chi sei" in chooser.text
    assert "Non serve nessuna password" in chooser.text and "No password needed" in chooser.text
    assert "Livello richiesto: SPID 2" in chooser.text
    for person in IDENTITIES:  # each a labelled radio button
        assert f'<label for="identity-{person.key}">' in chooser.text and person.fiscal_code in chooser.text

    answer = browser.post(f"{demo_idp.url}/sso/answer", {"key": form_fields(chooser.text)["key"], "identity": "luca"})
    assert answer.status == 200
    assert form_action(answer.text) == "http://127.0.0.1:5000/spid/acs"
    assert "form-action http://127.0.0.1:5000" in answer.headers["Content-Security-Policy"]
    assert '<button type="submit"' in answer.text  # works without JavaScript
    response_xml = base64.b64decode(form_fields(answer.text)["SAMLResponse"]).decode()
    assert response_xml.count("SignatureValue>") >= 4  # the Response and the Assertion, each signed
    assert "https://www.spid.gov.it/SpidL2" in response_xml and "TINIT-SPSLCU90L22F839Z" in response_xml

    back = client.post("/spid/acs", data=form_fields(answer.text))
    assert back.status_code == 302, back.get_data(as_text=True)[:500]
    with portal.app_context():
        user = db.session.scalars(db.select(User).filter_by(fiscal_code="SPSLCU90L22F839Z")).one()
        assert user.name == "Luca Esposito" and user.email == "luca.esposito@example.org"
    with client.session_transaction() as session:
        assert session["_user_id"].startswith(f"{user.id}:")

    # The same choice cannot be answered twice (the request is consumed).
    again = browser.post(f"{demo_idp.url}/sso/answer", {"key": form_fields(chooser.text)["key"], "identity": "luca"})
    assert again.status == 400 and "Richiesta non accettata" in again.text
    pages = {"chooser": chooser, "answer": answer, "refused": again}
    for name, page in pages.items():
        (tmp_path / f"{name}.html").write_bytes(page.body)
    assert vnu_errors([str(tmp_path / f"{name}.html") for name in pages]) == []


def test_cancelling_at_the_identity_provider_signs_nobody_in(portal, client, demo_idp):
    answer = demo_idp.answer(Browser(), start(client, demo_idp), person=None, cancel="1")
    assert answer.status == 200
    back = client.post("/spid/acs", data=form_fields(answer.text))
    assert back.status_code == 403
    assert "Hai annullato l'accesso" in back.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_choosing_nobody_asks_again_and_says_what_is_missing(portal, client, demo_idp):
    answer = demo_idp.answer(Browser(), start(client, demo_idp), person=None)
    assert answer.status == 400
    assert "<title>Errore: Scegli chi sei" in answer.text and 'role="alert"' in answer.text
    assert form_fields(answer.text)["key"]  # the same request waits under a new key


def test_a_request_it_cannot_verify_is_refused(demo_idp):
    forged = base64.b64encode(
        b'<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        b'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x" Version="2.0" '
        b'IssueInstant="2030-01-01T00:00:00Z" AssertionConsumerServiceURL="http://127.0.0.1:9/acs">'
        b"<saml:Issuer>http://127.0.0.1:5000/spid/metadata.xml</saml:Issuer></samlp:AuthnRequest>"
    ).decode()
    answer = Browser().post(f"{demo_idp.url}/sso", {"SAMLRequest": forged})
    assert answer.status == 400 and "Richiesta non accettata" in answer.text
    assert "SAMLResponse" not in answer.text


def test_single_logout_answers_the_portals_signed_logout_request(portal, client, demo_idp):
    browser = Browser()
    answer = demo_idp.answer(browser, start(client, demo_idp), person="chiara")
    assert client.post("/spid/acs", data=form_fields(answer.text)).status_code == 302
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/it/").get_data(as_text=True))
    leaving = client.post("/it/esci/spid", data={"csrf_token": token.group(1)} if token else {})
    assert leaving.status_code == 200
    html = leaving.get_data(as_text=True)
    assert form_action(html) == f"{demo_idp.url}/slo"

    logout = browser.post(form_action(html), form_fields(html))
    assert logout.status == 200, logout.text[:300]
    assert form_action(logout.text) == "http://127.0.0.1:5000/spid/sls"
    logout_xml = base64.b64decode(form_fields(logout.text)["SAMLResponse"]).decode()
    assert "LogoutResponse" in logout_xml and "status:Success" in logout_xml and "SignatureValue>" in logout_xml
    assert client.post("/spid/sls", data=form_fields(logout.text)).status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_it_removes_its_metadata_when_it_stops(sp_folder, tmp_path):
    folder = tmp_path / "idp"
    with DemoIdpServer(str(sp_folder[0] / "sp.xml"), folder) as server:
        assert (folder / METADATA_FILE).exists()
        assert server.process is not None
    assert not (folder / METADATA_FILE).exists()
