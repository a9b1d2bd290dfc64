"""The SAML exchange with an identity provider: the signed AuthnRequest (HTTP-POST binding, as SPID
requires) and the response's checks (`response_checks.check_response`, then pysaml2's signature and
protocol checks on the same document), and the SP-initiated LogoutRequest.

SAML's instants are checked on the real clock, never the portal's simulated one (PORTAL_NOW): the
identity providers stamp their messages with real time, as authenticator apps do (the TOTP checks).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from defusedxml import ElementTree
from flask import current_app

from portal.services.identity import saml_config
from portal.services.identity.providers import IdentityProvider
from portal.services.identity.response_checks import Expected, Refused, SamlError, check_response, parse_instant

FISCAL_PREFIX = "TINIT-"


@dataclass(frozen=True)
class OutgoingMessage:
    """What the browser posts to the identity provider (an auto-submitting form)."""

    request_id: str
    destination: str
    field: str  # SAMLRequest
    value: str  # base64 of the signed XML
    issue_instant: str


@dataclass(frozen=True)
class Identity:
    """A person as a verified assertion describes them."""

    fiscal_code: str
    name: str
    family_name: str
    email: str | None
    assertion_id: str
    expires_at: datetime
    idp: str
    level: int
    name_id: str
    name_qualifier: str
    session_index: str | None


def real_now() -> datetime:
    return datetime.now(UTC)


def _client(kind: str):
    from saml2.client import Saml2Client

    return Saml2Client(saml_config.sp_config(kind))


def _endpoint(client, idp: IdentityProvider, service: str) -> str:
    from saml2 import BINDING_HTTP_POST

    method = getattr(client.metadata, service)
    if service == "single_logout_service":  # pysaml2 asks whose logout service: the identity provider's
        locations = method(idp.entity_id, BINDING_HTTP_POST, "idpsso")
    else:
        locations = method(idp.entity_id, BINDING_HTTP_POST)
    if not locations:
        raise Refused(SamlError.MALFORMED, f"no HTTP-POST {service} for {idp.entity_id}")
    return locations[0]["location"]


def _issuer(kind: str):
    from saml2.saml import NAMEID_FORMAT_ENTITY, Issuer

    sp = saml_config.entity_id(kind)
    return Issuer(text=sp, format=NAMEID_FORMAT_ENTITY, name_qualifier=sp)


def authn_request(idp: IdentityProvider, level: int | None = None) -> OutgoingMessage:
    """A signed AuthnRequest for `idp`: level `SPID_LEVEL` at least (ForceAuthn above level 1),
    the attributes of AttributeConsumingService 0, a transient NameID."""
    from saml2 import BINDING_HTTP_POST
    from saml2.samlp import NameIDPolicy

    level = level or current_app.config["SPID_LEVEL"]
    client = _client(idp.kind)
    destination = _endpoint(client, idp, "single_sign_on_service")
    request_id, request = client.create_authn_request(
        destination,
        binding=BINDING_HTTP_POST,
        sign=True,
        sign_alg=saml_config.SIGNING_ALGORITHM,
        digest_alg=saml_config.DIGEST_ALGORITHM,
        requested_authn_context={
            "authn_context_class_ref": [f"https://www.spid.gov.it/SpidL{level}"],
            "comparison": "minimum",
        },
        force_authn="true" if level > 1 else None,
        attribute_consuming_service_index="0",
        name_id_policy=NameIDPolicy(format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient"),
        issuer=_issuer(idp.kind),
        provider_name=None,
    )
    xml = str(request)
    instant = ElementTree.fromstring(xml).get("IssueInstant")
    return OutgoingMessage(request_id, destination, "SAMLRequest", base64.b64encode(xml.encode()).decode(), instant)


def _attributes(assertion) -> dict[str, str]:
    values = {}
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute:
            if attribute.attribute_value and attribute.attribute_value[0].text:
                values[attribute.name] = attribute.attribute_value[0].text.strip()
    return values


def fiscal_code_of(value: str | None) -> str | None:
    """The codice fiscale of a `fiscalNumber` attribute ("TINIT-" and 16 characters), or None."""
    from stdnum.it import codicefiscale

    code = (value or "").strip().upper()
    code = code.removeprefix(FISCAL_PREFIX)
    if len(code) != 16 or not codicefiscale.is_valid(code):
        return None
    return code


def read_response(saml_response: str, pending: dict, idp: IdentityProvider) -> Identity:
    """The identity in a response to `pending` (the request this browser sent), or `Refused`."""
    try:
        xml = base64.b64decode(saml_response or "", validate=True)
        root = ElementTree.fromstring(xml)
    except (binascii.Error, ValueError, ElementTree.ParseError) as error:
        raise Refused(SamlError.MALFORMED, str(error)) from error
    except Exception as error:  # defusedxml's refusals (entities, DTDs)
        raise Refused(SamlError.MALFORMED, type(error).__name__) from error
    expected = Expected(
        request_id=pending["id"],
        request_instant=parse_instant(pending["instant"], "request"),
        idp_entity_id=idp.entity_id,
        sp_entity_id=saml_config.entity_id(idp.kind),
        acs_url=saml_config.site_url(saml_config.ACS_PATH),
        level=pending["level"],
        now=real_now(),
        skew=timedelta(seconds=current_app.config["SPID_CLOCK_SKEW_SECONDS"]),
        issuer_format_required=idp.kind == "spid",
    )
    level = check_response(root, expected)
    authn = _verified(saml_response, expected, idp.kind)
    assertion = authn.assertion
    values = _attributes(assertion)
    fiscal_code = fiscal_code_of(values.get("fiscalNumber"))
    if not fiscal_code or not values.get("name") or not values.get("familyName"):
        raise Refused(SamlError.MISSING_ATTRIBUTES)
    name_id = assertion.subject.name_id
    statement = assertion.authn_statement[0]
    return Identity(
        fiscal_code=fiscal_code,
        name=values["name"],
        family_name=values["familyName"],
        email=values.get("email"),
        assertion_id=assertion.id,
        expires_at=parse_instant(assertion.conditions.not_on_or_after, "NotOnOrAfter"),
        idp=idp.entity_id,
        level=level,
        name_id=name_id.text.strip(),
        name_qualifier=name_id.name_qualifier or idp.entity_id,
        session_index=statement.session_index,
    )


def _verified(saml_response: str, expected: Expected, kind: str):
    """pysaml2's reading: the assertion's signature (and the response's, when signed) by the issuer's
    keys in its metadata, InResponseTo among this browser's outstanding requests, audience, times."""
    from saml2 import BINDING_HTTP_POST
    from saml2.sigver import SignatureError

    client = _client(kind)
    try:
        authn = client.parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={expected.request_id: "/"}
        )
    except SignatureError as error:
        raise Refused(SamlError.BAD_SIGNATURE, str(error)[:200]) from error
    except Exception as error:  # pysaml2 raises many kinds, all meaning "not acceptable"
        name = type(error).__name__
        code = SamlError.BAD_SIGNATURE if "Signature" in name or "signature" in str(error) else SamlError.MALFORMED
        raise Refused(code, f"{name}: {str(error)[:200]}") from error
    if authn is None or authn.assertion is None:
        raise Refused(SamlError.MALFORMED, "no assertion")
    if authn.assertion.issuer is None or authn.assertion.issuer.text.strip() != expected.idp_entity_id:
        raise Refused(SamlError.WRONG_ISSUER, "verified assertion")
    return authn


def logout_request(idp: IdentityProvider, session: dict) -> OutgoingMessage:
    """A signed LogoutRequest ending the SAML session `session` (the sign-in's NameID and SessionIndex)."""
    from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID

    client = _client(idp.kind)
    destination = _endpoint(client, idp, "single_logout_service")
    name_id = NameID(text=session["name_id"], format=NAMEID_FORMAT_TRANSIENT, name_qualifier=session["name_qualifier"])
    request_id, request = client.create_logout_request(
        destination,
        idp.entity_id,
        name_id=name_id,
        session_indexes=[session["session_index"]] if session.get("session_index") else None,
        sign=True,
        sign_alg=saml_config.SIGNING_ALGORITHM,
        digest_alg=saml_config.DIGEST_ALGORITHM,
    )
    xml = str(request)
    instant = ElementTree.fromstring(xml).get("IssueInstant")
    return OutgoingMessage(request_id, destination, "SAMLRequest", base64.b64encode(xml.encode()).decode(), instant)
