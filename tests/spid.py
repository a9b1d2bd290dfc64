"""SPID/CIE in the tests: the service provider's key and certificate, and an identity provider made
in the test with pysaml2's `Server`, whose metadata the portal trusts and whose responses it signs."""

from __future__ import annotations

import base64
import re
from html import unescape
from pathlib import Path

from portal.services.identity import certificates

IDP_ENTITY_ID = "https://idp.test.example/metadata"
IDP_SSO = "https://idp.test.example/sso"
IDP_SLO = "https://idp.test.example/slo"
OTHER_SP = "https://another.example/metadata"
FISCAL_CODE = "RSSMRA80A01F205X"  # Mario Rossi, born in Milan on 1 January 1980 (valid check character)


def spid_settings(folder: Path, site_url: str = "http://127.0.0.1:5000") -> dict[str, object]:
    """The SPID_* settings of a portal trusting the identity providers whose metadata is in folder/idp."""
    (folder / "idp").mkdir(parents=True, exist_ok=True)
    return {
        "SPID_ENABLED": True,
        "SITE_URL": site_url,
        "SPID_ENTITY_ID": f"{site_url}/spid/metadata.xml",
        "SPID_KEY_FILE": str(folder / "sp.key"),
        "SPID_CERT_FILE": str(folder / "sp.crt"),
        "SPID_IDP_METADATA_DIR": str(folder / "idp"),
    }


def write_sp_keys(settings: dict[str, object]) -> None:
    """The SP's key and certificate in AgID's form (2048 bits: quicker to make than production's 3072)."""
    config = {
        "SPID_ENTITY_ID": settings["SPID_ENTITY_ID"],
        "SPID_ORGANIZATION_DISPLAY_NAME": "Comune di Milano",
        "SPID_ORGANIZATION_NAME": "Comune di Milano",
        "SPID_IPA_CODE": "c_f205",
        "SPID_LOCALITY": "Milano",
        "SPID_KEY_FILE": settings["SPID_KEY_FILE"],
        "SPID_CERT_FILE": settings["SPID_CERT_FILE"],
    }
    certificates.write_sp_certificate(config, key_size=2048)


def _body(pem: bytes) -> str:
    return "".join(line for line in pem.decode().splitlines() if not line.startswith("-----"))


class TestIdentityProvider:
    """A pysaml2 `Server` acting as a SPID identity provider, with its own key (or a forger's)."""

    __test__ = False

    def __init__(self, folder: Path, sp_metadata: bytes, entity_id: str = IDP_ENTITY_ID) -> None:
        self.folder = folder
        self.entity_id = entity_id
        folder.mkdir(parents=True, exist_ok=True)
        key, cert = certificates.make_sp_certificate(
            entity_id=entity_id,
            common_name="IdP di prova",
            organization="IdP di prova",
            ipa_code="idp",
            locality="Roma",
            key_size=2048,
        )
        (folder / "idp.key").write_bytes(key)
        (folder / "idp.crt").write_bytes(cert)
        (folder / "sp.xml").write_bytes(sp_metadata)
        # Another service (the same endpoints under another name), for responses meant for it.
        other = re.sub(rb'entityID="[^"]+"', f'entityID="{OTHER_SP}"'.encode(), sp_metadata, count=1)
        (folder / "other-sp.xml").write_bytes(other)
        # SPID's attribute names, in the "basic" name format, as they are (pysaml2 drops names it cannot map).
        maps = folder / "attributemaps"
        maps.mkdir(exist_ok=True)
        names = {name: name for name in ("fiscalNumber", "name", "familyName", "email")}
        basic = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
        (maps / "spid.py").write_text(f'MAP = {{"identifier": "{basic}", "fro": {names!r}, "to": {names!r}}}\n')
        self.metadata = self._metadata(cert)

    def _metadata(self, cert: bytes) -> str:
        return (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{self.entity_id}">'
            '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" '
            'WantAuthnRequestsSigned="true"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
            f"<ds:X509Certificate>{_body(cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            f'<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{IDP_SLO}"/>'
            "<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>"
            f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{IDP_SSO}"/>'
            "</md:IDPSSODescriptor>"
            '<md:Organization><md:OrganizationName xml:lang="it">IdP di prova</md:OrganizationName>'
            '<md:OrganizationDisplayName xml:lang="it">IdP di prova</md:OrganizationDisplayName>'
            '<md:OrganizationURL xml:lang="it">https://idp.test.example</md:OrganizationURL></md:Organization>'
            "</md:EntityDescriptor>"
        )

    def trusted_by(self, idp_dir: str) -> None:
        (Path(idp_dir) / "test-idp.xml").write_text(self.metadata)

    def _server(self):
        from saml2 import BINDING_HTTP_POST
        from saml2.config import IdPConfig
        from saml2.server import Server

        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "key_file": str(self.folder / "idp.key"),
                "cert_file": str(self.folder / "idp.crt"),
                "metadata": {"local": [str(self.folder / "sp.xml"), str(self.folder / "other-sp.xml")]},
                "service": {
                    "idp": {
                        "endpoints": {"single_sign_on_service": [(IDP_SSO, BINDING_HTTP_POST)]},
                        "policy": {
                            "default": {
                                "attribute_restrictions": None,
                                "lifetime": {"minutes": 5},
                                "name_form": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
                            }
                        },
                        "signing_algorithm": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                        "digest_algorithm": "http://www.w3.org/2001/04/xmlenc#sha256",
                    }
                },
                "allow_unknown_attributes": True,
                "attribute_map_dir": str(self.folder / "attributemaps"),
            }
        )
        return Server(config=config)

    def response(
        self,
        authn_request: str,
        *,
        fiscal_number: str = f"TINIT-{FISCAL_CODE}",
        email: str = "mario.rossi@example.org",
        audience: str | None = None,
        in_response_to: str | None = None,
        level: int = 2,
    ) -> str:
        """A signed response (assertion and response) to the base64 AuthnRequest the portal posted."""
        from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID

        server = self._server()
        request_xml = base64.b64decode(authn_request).decode()
        request_id = re.search(r' ID="([^"]+)"', request_xml).group(1)
        sp_entity = re.search(r"<ns\d:Issuer[^>]*>([^<]+)<", request_xml).group(1)
        acs = re.search(r'AssertionConsumerServiceURL="([^"]+)"', request_xml).group(1)
        identity = {
            "fiscalNumber": [fiscal_number],
            "name": ["Mario"],
            "familyName": ["Rossi"],
            "email": [email],
        }
        response = server.create_authn_response(
            identity,
            in_response_to=in_response_to or request_id,
            destination=acs,
            sp_entity_id=audience or sp_entity,
            name_id=NameID(text="_transient-1", format=NAMEID_FORMAT_TRANSIENT, name_qualifier=self.entity_id),
            authn={"class_ref": f"https://www.spid.gov.it/SpidL{level}", "authn_auth": self.entity_id},
            sign_assertion=True,
            sign_response=True,
        )
        return base64.b64encode(str(response).encode()).decode()


def trusted_test_idp(app, folder: Path, monkeypatch) -> TestIdentityProvider:
    """SPID on in `app` (keys in `folder`), trusting a test identity provider; its `forger` signs
    with another key under the same name."""
    from portal.services.identity import metadata

    settings = spid_settings(folder)
    for name, value in settings.items():
        monkeypatch.setitem(app.config, name, value)
    write_sp_keys(settings)
    with app.app_context():
        sp_metadata = metadata.signed_metadata()
    provider = TestIdentityProvider(folder / "test-idp", sp_metadata)
    provider.trusted_by(settings["SPID_IDP_METADATA_DIR"])
    provider.forger = TestIdentityProvider(folder / "forger", sp_metadata)
    return provider


def authn_request_of(client, idp: TestIdentityProvider, lang: str = "it") -> str:
    """The base64 AuthnRequest the portal's page posts to the identity provider, for this browser."""
    page = client.get(f"/{lang}/accesso/spid?idp={idp.entity_id}")
    assert page.status_code == 200
    return unescape(re.search(r'name="SAMLRequest" value="([^"]+)"', page.get_data(as_text=True)).group(1))


def through_spid(client, idp: TestIdentityProvider, **response):
    """The whole exchange for this browser: the portal's request, the identity provider's signed
    response (`response`: TestIdentityProvider.response's options) posted to the ACS."""
    saml_response = idp.response(authn_request_of(client, idp), **response)
    return client.post("/spid/acs", data={"SAMLResponse": saml_response, "RelayState": "x"})
