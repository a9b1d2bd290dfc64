"""Signing in with SPID through the whole SAML exchange, against an identity provider made in the test
(pysaml2's Server): the portal's signed AuthnRequest, the provider's signed response to the ACS."""

from __future__ import annotations

import base64
import re
from html import unescape

import pytest

from portal.extensions import db
from portal.models import User
from portal.services.identity import metadata
from tests.spid import FISCAL_CODE, OTHER_SP, TestIdentityProvider, spid_settings, write_sp_keys


@pytest.fixture
def idp(app, data, tmp_path, monkeypatch):
    settings = spid_settings(tmp_path)
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    write_sp_keys(settings)
    with app.app_context():
        sp_metadata = metadata.signed_metadata()
    provider = TestIdentityProvider(tmp_path / "test-idp", sp_metadata)
    provider.trusted_by(settings["SPID_IDP_METADATA_DIR"])
    provider.forger = TestIdentityProvider(tmp_path / "forger", sp_metadata)  # same name, another key
    return provider


def start(client, idp) -> str:
    page = client.get(f"/it/accesso/spid?idp={idp.entity_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="https://idp.test.example/sso"' in html
    assert "form-action 'self' https://idp.test.example" in page.headers["Content-Security-Policy"]
    return unescape(re.search(r'name="SAMLRequest" value="([^"]+)"', html).group(1))


def signed_in_user(app) -> User | None:
    with app.app_context():
        return db.session.scalars(db.select(User).filter_by(fiscal_code=FISCAL_CODE)).one_or_none()


def test_the_authn_request_is_signed_and_asks_level_2(client, idp):
    request_xml = base64.b64decode(start(client, idp)).decode()
    assert "<ds:Signature" in request_xml or ":Signature" in request_xml
    assert "https://www.spid.gov.it/SpidL2" in request_xml and 'Comparison="minimum"' in request_xml
    assert 'ForceAuthn="true"' in request_xml and 'AttributeConsumingServiceIndex="0"' in request_xml
    assert 'NameQualifier="http://127.0.0.1:5000/spid/metadata.xml"' in request_xml


def test_a_good_response_signs_the_person_in_with_their_fiscal_code(app, client, idp):
    response = idp.response(start(client, idp))
    answer = client.post("/spid/acs", data={"SAMLResponse": response, "RelayState": "x"})
    assert answer.status_code == 302
    user = signed_in_user(app)
    assert user is not None and user.name == "Mario Rossi" and user.email == "mario.rossi@example.org"
    with client.session_transaction() as session:
        assert session["_user_id"].startswith(f"{user.id}:")


def refused(app, client, answer, message: str) -> None:
    assert answer.status_code == 403
    assert message in answer.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_a_forged_signature_is_refused(app, client, idp):
    response = idp.forger.response(start(client, idp))
    answer = client.post("/spid/acs", data={"SAMLResponse": response})
    refused(app, client, answer, "La firma della risposta non è valida.")
    assert signed_in_user(app) is None


def test_a_response_for_another_service_is_refused(app, client, idp):
    response = idp.response(start(client, idp), audience=OTHER_SP)
    refused(app, client, client.post("/spid/acs", data={"SAMLResponse": response}), "destinata a un altro servizio")
    assert signed_in_user(app) is None


def test_a_response_to_another_request_is_refused(app, client, idp):
    response = idp.response(start(client, idp), in_response_to="_not-this-browsers-request")
    refused(app, client, client.post("/spid/acs", data={"SAMLResponse": response}), "non corrisponde all'accesso")
    assert signed_in_user(app) is None


def test_an_expired_response_is_refused(app, client, idp, monkeypatch):
    from datetime import timedelta

    from portal.services.identity import saml

    response = idp.response(start(client, idp))
    later = saml.real_now() + timedelta(minutes=10)
    monkeypatch.setattr(saml, "real_now", lambda: later)
    refused(app, client, client.post("/spid/acs", data={"SAMLResponse": response}), "La risposta è scaduta")
    assert signed_in_user(app) is None


def test_a_replayed_response_is_refused(app, client, idp):
    response = idp.response(start(client, idp))
    assert client.post("/spid/acs", data={"SAMLResponse": response}).status_code == 302
    other = app.test_client()  # another browser, with a sign-in of its own: not the request answered
    start(other, idp)
    refused(app, other, other.post("/spid/acs", data={"SAMLResponse": response}), "non corrisponde all'accesso")


def test_an_assertion_is_accepted_once_even_for_the_same_request(app, idp):
    """Two servers reading the same response at once: the assertion's ID is claimed once."""
    from datetime import UTC, datetime, timedelta

    from portal.domain import DomainError
    from portal.services.identity import sign_in
    from portal.services.identity.response_checks import SamlError
    from portal.services.identity.saml import Identity

    identity = Identity(
        fiscal_code=FISCAL_CODE,
        name="Mario",
        family_name="Rossi",
        email=None,
        assertion_id="_a1",
        expires_at=datetime.now(UTC) + timedelta(minutes=5),
        idp=idp.entity_id,
        level=2,
        name_id="_t",
        name_qualifier=idp.entity_id,
        session_index=None,
    )
    with app.app_context():
        first = sign_in.sign_in(identity, datetime.now(UTC))
        assert first.fiscal_code == FISCAL_CODE and first.email == "rssmra80a01f205x@spid.invalid"
        with pytest.raises(DomainError) as refusal:
            sign_in.sign_in(identity, datetime.now(UTC))
        assert refusal.value.code is SamlError.REPLAYED


def test_a_cross_site_post_without_the_session_is_posted_again_from_this_site(app, client, idp):
    response = idp.response(start(client, idp))
    stranger = app.test_client()  # the ACS reached without the session cookie (SameSite=Lax)
    page = stranger.post("/spid/acs", data={"SAMLResponse": response})
    assert page.status_code == 200 and 'action="/spid/acs"' in page.get_data(as_text=True)
    again = stranger.post("/spid/acs", data={"SAMLResponse": response, "stesso_sito": "1"})
    refused(app, stranger, again, "Non risulta un accesso avviato da questo browser")
