# ruff: noqa: E501 — SAML documents written out as they travel
"""The strict checks of a SAML response (portal/services/identity/response_checks.py): pure functions
of the document, the request it answers and the moment it arrives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree.ElementTree import fromstring

import pytest

from portal.services.identity.response_checks import Expected, Refused, SamlError, check_response, parse_instant

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
IDP = "https://idp.example"
SP = "https://portal.example/spid/metadata.xml"
ACS = "https://portal.example/spid/acs"


def expected(**changes) -> Expected:
    values = dict(
        request_id="_req",
        request_instant=NOW - timedelta(minutes=1),
        idp_entity_id=IDP,
        sp_entity_id=SP,
        acs_url=ACS,
        level=2,
        now=NOW,
        skew=timedelta(seconds=60),
    )
    return Expected(**{**values, **changes})


def response(**changes) -> str:
    values = dict(
        issue_instant="2026-01-10T11:59:30Z",
        in_response_to="_req",
        destination=ACS,
        issuer=IDP,
        status="urn:oasis:names:tc:SAML:2.0:status:Success",
        status_message="",
        audience=SP,
        not_before="2026-01-10T11:59:00Z",
        not_on_or_after="2026-01-10T12:04:00Z",
        level="https://www.spid.gov.it/SpidL2",
        recipient=ACS,
        name_id_format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
    )
    v = {**values, **changes}
    return f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"
 xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="_r" Version="2.0" IssueInstant="{v["issue_instant"]}"
 InResponseTo="{v["in_response_to"]}" Destination="{v["destination"]}">
 <saml:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{v["issuer"]}</saml:Issuer>
 <samlp:Status><samlp:StatusCode Value="{v["status"]}"/><samlp:StatusMessage>{v["status_message"]}</samlp:StatusMessage></samlp:Status>
 <saml:Assertion ID="_a" Version="2.0" IssueInstant="{v["issue_instant"]}">
  <saml:Issuer Format="urn:oasis:names:tc:SAML:2.0:nameid-format:entity">{v["issuer"]}</saml:Issuer>
  <ds:Signature/>
  <saml:Subject><saml:NameID Format="{v["name_id_format"]}" NameQualifier="{IDP}">_t</saml:NameID>
   <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
    <saml:SubjectConfirmationData Recipient="{v["recipient"]}" InResponseTo="{v["in_response_to"]}" NotOnOrAfter="{v["not_on_or_after"]}"/>
   </saml:SubjectConfirmation></saml:Subject>
  <saml:Conditions NotBefore="{v["not_before"]}" NotOnOrAfter="{v["not_on_or_after"]}">
   <saml:AudienceRestriction><saml:Audience>{v["audience"]}</saml:Audience></saml:AudienceRestriction></saml:Conditions>
  <saml:AuthnStatement AuthnInstant="{v["issue_instant"]}" SessionIndex="_s"><saml:AuthnContext>
   <saml:AuthnContextClassRef>{v["level"]}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>
  <saml:AttributeStatement><saml:Attribute Name="fiscalNumber"><saml:AttributeValue>TINIT-RSSMRA80A01F205X</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>
 </saml:Assertion></samlp:Response>"""


def refusal(document: str, **changes) -> SamlError:
    with pytest.raises(Refused) as refused:
        check_response(fromstring(document), expected(**changes))
    return refused.value.code


def test_a_good_response_passes_with_its_level():
    assert check_response(fromstring(response()), expected()) == 2
    assert check_response(fromstring(response(level="https://www.spid.gov.it/SpidL3")), expected()) == 3


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"in_response_to": "_other"}, SamlError.WRONG_REQUEST),
        ({"destination": "https://elsewhere.example/acs"}, SamlError.WRONG_DESTINATION),
        ({"recipient": "https://elsewhere.example/acs"}, SamlError.WRONG_DESTINATION),
        ({"issuer": "https://another-idp.example"}, SamlError.WRONG_ISSUER),
        ({"audience": "https://another-sp.example"}, SamlError.WRONG_AUDIENCE),
        ({"not_on_or_after": "2026-01-10T11:58:00Z"}, SamlError.EXPIRED),
        ({"not_before": "2026-01-10T12:05:00Z"}, SamlError.EXPIRED),
        ({"issue_instant": "2026-01-10T11:50:00Z"}, SamlError.EXPIRED),  # before the request
        ({"issue_instant": "2026-01-10T12:10:00Z"}, SamlError.EXPIRED),  # from the future
        ({"issue_instant": "10/01/2026 12:00"}, SamlError.MALFORMED),
        ({"level": "https://www.spid.gov.it/SpidL1"}, SamlError.LEVEL_TOO_LOW),
        ({"level": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"}, SamlError.MALFORMED),
        ({"name_id_format": "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"}, SamlError.MALFORMED),
        (
            {"status": "urn:oasis:names:tc:SAML:2.0:status:Responder", "status_message": "ErrorCode nr19"},
            SamlError.AUTHN_FAILED,
        ),
        (
            {"status": "urn:oasis:names:tc:SAML:2.0:status:Responder", "status_message": "ErrorCode nr25"},
            SamlError.CANCELLED,
        ),
    ],
)
def test_each_rule_refuses_with_its_reason(changes, code):
    assert refusal(response(**changes)) is code


def test_the_clock_skew_is_allowed_and_no_more():
    assert check_response(fromstring(response(not_on_or_after="2026-01-10T11:59:30Z")), expected()) == 2
    assert refusal(response(not_on_or_after="2026-01-10T11:58:59Z")) is SamlError.EXPIRED


def test_an_unsigned_assertion_is_refused_before_anything_else_is_read():
    assert refusal(response().replace("<ds:Signature/>", "")) is SamlError.BAD_SIGNATURE


def test_a_second_assertion_beside_the_signed_one_is_refused():
    document = response()
    start, end = document.index("<saml:Assertion"), document.index("</saml:Assertion>") + len("</saml:Assertion>")
    wrapped = document[:end] + document[start:end].replace('ID="_a"', 'ID="_evil"') + document[end:]
    assert refusal(wrapped) is SamlError.MALFORMED


def test_instants_read_with_or_without_fractions():
    assert parse_instant("2026-01-10T12:00:00.123Z", "x") == NOW + timedelta(milliseconds=123)
    with pytest.raises(Refused):
        parse_instant("2026-01-10T12:00:00+01:00", "x")
