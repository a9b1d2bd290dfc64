"""The service provider's metadata, signed with its key: SPID's (Avviso SPID n.29 v3, a public body:
md:Organization, md:ContactPerson "other" with spid:IPACode and spid:Public) and the CIE's
(cie-sp-public: md:ContactPerson "administrative" with cie:Public, cie:IPACode, cie:Municipality).

The XML is written here rather than by pysaml2's generator, so that every element AgID asks for is in
its place; pysaml2's security context (xmlsec1) signs it."""

from __future__ import annotations

import secrets
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from flask import current_app

from portal.services.identity import saml_config

POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SPID_NS = "https://spid.gov.it/saml-extensions"
CIE_NS = "https://www.cartaidentita.interno.gov.it/saml-extensions"
# SPID's names, no FriendlyName: identity providers match on Name (pysaml2's matches a FriendlyName first).
REQUESTED = saml_config.REQUESTED_ATTRIBUTES


def certificate_body() -> str:
    pem = Path(current_app.config["SPID_CERT_FILE"]).read_text()
    return "".join(line for line in pem.splitlines() if line and not line.startswith("-----"))


def _contact(kind: str) -> str:
    config = current_app.config
    if kind == "cie":
        extensions = (
            "<cie:Public/>"
            f"<cie:IPACode>{escape(config['SPID_IPA_CODE'])}</cie:IPACode>"
            f"<cie:Municipality>{escape(config.get('CIE_MUNICIPALITY_CODE') or '015146')}</cie:Municipality>"
        )
        contact_type = "administrative"
    else:
        extensions = f"<spid:IPACode>{escape(config['SPID_IPA_CODE'])}</spid:IPACode><spid:Public/>"
        contact_type = "other"
    return (
        f'<md:ContactPerson contactType="{contact_type}">'
        f"<md:Extensions>{extensions}</md:Extensions>"
        f"<md:Company>{escape(config['SPID_ORGANIZATION_NAME'])}</md:Company>"
        f"<md:EmailAddress>{escape(config['SPID_CONTACT_EMAIL'])}</md:EmailAddress>"
        f"<md:TelephoneNumber>{escape(config['SPID_CONTACT_PHONE'])}</md:TelephoneNumber>"
        "</md:ContactPerson>"
    )


def unsigned_metadata(kind: str = "spid") -> tuple[str, str]:
    """The metadata document and its ID (for the signature's reference)."""
    config = current_app.config
    entity = saml_config.entity_id(kind)
    acs = saml_config.site_url(saml_config.ACS_PATH)
    sls = saml_config.site_url(saml_config.SLS_PATH)
    document_id = "_" + secrets.token_hex(16)
    ns = f'xmlns:cie="{CIE_NS}"' if kind == "cie" else f'xmlns:spid="{SPID_NS}"'
    requested = "".join(
        f'<md:RequestedAttribute Name="{name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"/>'
        for name in REQUESTED
        if kind == "spid" or name != "email"
    )
    lang_it = 'xml:lang="it"'
    organization = (
        "<md:Organization>"
        f"<md:OrganizationName {lang_it}>{escape(config['SPID_ORGANIZATION_NAME'])}</md:OrganizationName>"
        f"<md:OrganizationDisplayName {lang_it}>{escape(config['SPID_ORGANIZATION_DISPLAY_NAME'])}"
        "</md:OrganizationDisplayName>"
        f"<md:OrganizationURL {lang_it}>{escape(config['SPID_ORGANIZATION_URL'])}</md:OrganizationURL>"
        "</md:Organization>"
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" {ns} '
        f"entityID={quoteattr(entity)} ID={quoteattr(document_id)}>"
        '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" '
        'AuthnRequestsSigned="true" WantAssertionsSigned="true">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
        f"<ds:X509Certificate>{certificate_body()}</ds:X509Certificate>"
        "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        f'<md:SingleLogoutService Binding="{POST}" Location={quoteattr(sls)}/>'
        f'<md:SingleLogoutService Binding="{REDIRECT}" Location={quoteattr(sls)}/>'
        "<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>"
        '<md:AssertionConsumerService index="0" isDefault="true" '
        f'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location={quoteattr(acs)}/>'
        '<md:AttributeConsumingService index="0">'
        f"<md:ServiceName {lang_it}>{escape(config['SPID_ORGANIZATION_DISPLAY_NAME'])}</md:ServiceName>"
        f"{requested}"
        "</md:AttributeConsumingService>"
        "</md:SPSSODescriptor>"
        f"{organization}{_contact(kind)}"
        "</md:EntityDescriptor>"
    )
    return xml, document_id


def signed_metadata(kind: str = "spid") -> bytes:
    """The metadata with an enveloped RSA-SHA256 signature by the SP's key."""
    from saml2.sigver import pre_signature_part, security_context

    xml, document_id = unsigned_metadata(kind)
    signature = pre_signature_part(
        document_id,
        public_key=certificate_body(),
        sign_alg=saml_config.SIGNING_ALGORITHM,
        digest_alg=saml_config.DIGEST_ALGORITHM,
    )
    template = str(signature)
    # The signature goes first inside the EntityDescriptor (before SPSSODescriptor), as the schema says.
    opening_end = xml.index(">", xml.index("<md:EntityDescriptor")) + 1
    xml = xml[:opening_end] + template + xml[opening_end:]
    context = security_context(saml_config.sp_config(kind))
    signed = context.sign_statement(
        xml, node_name="urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor", node_id=document_id
    )
    return signed.encode() if isinstance(signed, str) else signed
