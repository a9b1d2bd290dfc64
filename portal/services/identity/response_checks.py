"""The strict checks AgID's SPID rules (and the CIE's SAML profile) ask of a <samlp:Response>, beyond
what pysaml2 checks: pure functions of the parsed document, the request it answers and "now".

Every refusal is a `SamlError` code, which the sign-in view words for the person. Signatures are
checked afterwards by pysaml2 (xmlsec1) on the same document, and the attributes are read from what
pysaml2 verified; requiring exactly one Response and one Assertion here leaves no room for a
signature-wrapping document (a second, unsigned assertion beside the signed one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from xml.etree.ElementTree import Element

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
ENTITY_FORMAT = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
TRANSIENT_FORMAT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
SPID_LEVELS = {f"https://www.spid.gov.it/SpidL{n}": n for n in (1, 2, 3)}
# xs:dateTime as SAML writes it: UTC, "Z", optional fraction of a second.
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$")
# The SPID anomalies an identity provider reports in StatusMessage ("ErrorCode nr19", …).
ANOMALY = re.compile(r"ErrorCode nr(\d+)")


class SamlError(StrEnum):
    MALFORMED = "malformed"  # not a SAML response, or one with missing or badly formed parts
    NO_PENDING_REQUEST = "no_pending_request"  # this browser started no sign-in (or it expired)
    WRONG_REQUEST = "wrong_request"  # InResponseTo is not the request this browser sent
    WRONG_DESTINATION = "wrong_destination"  # sent to another address than this portal's
    WRONG_ISSUER = "wrong_issuer"  # not from the identity provider the person chose
    WRONG_AUDIENCE = "wrong_audience"  # meant for another service
    EXPIRED = "expired"  # out of its time window (with the allowed clock skew)
    LEVEL_TOO_LOW = "level_too_low"  # a SPID level below the one asked
    BAD_SIGNATURE = "bad_signature"  # unsigned, or not signed by the chosen identity provider's key
    REPLAYED = "replayed"  # an assertion already used
    MISSING_ATTRIBUTES = "missing_attributes"  # no valid codice fiscale, name or family name
    CANCELLED = "cancelled"  # the person stopped at the identity provider (anomaly 25) or refused consent (22)
    AUTHN_FAILED = "authn_failed"  # the identity provider did not authenticate the person
    ACCOUNT_CONFLICT = "account_conflict"  # the e-mail belongs to an account not yet linked to this person
    FISCAL_CODE_TAKEN = "fiscal_code_taken"  # linking: another account already has this codice fiscale
    LINKED_TO_ANOTHER = "linked_to_another"  # linking: this account already has a different codice fiscale


class Refused(Exception):
    def __init__(self, code: SamlError, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else str(code))
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Expected:
    """What the response must match: the request this browser sent, and this service."""

    request_id: str
    request_instant: datetime
    idp_entity_id: str
    sp_entity_id: str
    acs_url: str
    level: int
    now: datetime
    skew: timedelta
    # CIE's profile leaves the assertion's Issuer Format optional; SPID requires it.
    issuer_format_required: bool = True


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def parse_instant(value: str | None, what: str) -> datetime:
    if not value or not INSTANT.match(value):
        raise Refused(SamlError.MALFORMED, f"{what}: not an instant")
    whole, _, fraction = value[:-1].partition(".")
    moment = datetime.fromisoformat(whole + "+00:00")
    return moment + timedelta(microseconds=int((fraction + "000000")[:6])) if fraction else moment


def _one(parent: Element, ns: str, name: str, what: str) -> Element:
    found = parent.findall(_q(ns, name))
    if len(found) != 1:
        raise Refused(SamlError.MALFORMED, f"{what}: {len(found)} elements")
    return found[0]


def _text(element: Element, what: str) -> str:
    text = (element.text or "").strip()
    if not text:
        raise Refused(SamlError.MALFORMED, f"{what}: empty")
    return text


def _attribute(element: Element, name: str, what: str) -> str:
    value = (element.get(name) or "").strip()
    if not value:
        raise Refused(SamlError.MALFORMED, f"{what}: {name} missing")
    return value


def _check_instant(value: str | None, what: str, expected: Expected) -> None:
    moment = parse_instant(value, what)
    if moment < expected.request_instant - expected.skew or moment > expected.now + expected.skew:
        raise Refused(SamlError.EXPIRED, f"{what} outside the request's window")


def _check_status(response: Element) -> None:
    status = _one(response, SAMLP, "Status", "Status")
    code = _one(status, SAMLP, "StatusCode", "StatusCode")
    value = _attribute(code, "Value", "StatusCode")
    if value == SUCCESS:
        return
    message = status.find(_q(SAMLP, "StatusMessage"))
    anomaly = ANOMALY.search((message.text or "") if message is not None else "")
    if anomaly and anomaly.group(1) in {"22", "25"}:
        raise Refused(SamlError.CANCELLED, f"anomaly {anomaly.group(1)}")
    raise Refused(SamlError.AUTHN_FAILED, f"status {value} {anomaly.group(0) if anomaly else ''}".strip())


def _check_issuer(parent: Element, expected: Expected, what: str, *, format_required: bool) -> None:
    issuer = _one(parent, SAML, "Issuer", what)
    if _text(issuer, what) != expected.idp_entity_id:
        raise Refused(SamlError.WRONG_ISSUER, what)
    fmt = issuer.get("Format")
    if fmt is None and not format_required:
        return
    if fmt != ENTITY_FORMAT:
        raise Refused(SamlError.MALFORMED, f"{what}: Format")


def _check_subject(assertion: Element, expected: Expected) -> None:
    subject = _one(assertion, SAML, "Subject", "Subject")
    name_id = _one(subject, SAML, "NameID", "NameID")
    _text(name_id, "NameID")
    if name_id.get("Format") != TRANSIENT_FORMAT:
        raise Refused(SamlError.MALFORMED, "NameID: Format")
    _attribute(name_id, "NameQualifier", "NameID")
    confirmation = _one(subject, SAML, "SubjectConfirmation", "SubjectConfirmation")
    if confirmation.get("Method") != BEARER:
        raise Refused(SamlError.MALFORMED, "SubjectConfirmation: Method")
    data = _one(confirmation, SAML, "SubjectConfirmationData", "SubjectConfirmationData")
    if _attribute(data, "Recipient", "SubjectConfirmationData") != expected.acs_url:
        raise Refused(SamlError.WRONG_DESTINATION, "Recipient")
    if _attribute(data, "InResponseTo", "SubjectConfirmationData") != expected.request_id:
        raise Refused(SamlError.WRONG_REQUEST, "SubjectConfirmationData")
    if parse_instant(data.get("NotOnOrAfter"), "SubjectConfirmationData NotOnOrAfter") <= expected.now - expected.skew:
        raise Refused(SamlError.EXPIRED, "SubjectConfirmationData NotOnOrAfter")


def _check_conditions(assertion: Element, expected: Expected) -> None:
    conditions = _one(assertion, SAML, "Conditions", "Conditions")
    if parse_instant(conditions.get("NotBefore"), "Conditions NotBefore") > expected.now + expected.skew:
        raise Refused(SamlError.EXPIRED, "Conditions NotBefore")
    if parse_instant(conditions.get("NotOnOrAfter"), "Conditions NotOnOrAfter") <= expected.now - expected.skew:
        raise Refused(SamlError.EXPIRED, "Conditions NotOnOrAfter")
    restriction = _one(conditions, SAML, "AudienceRestriction", "AudienceRestriction")
    audiences = [(a.text or "").strip() for a in restriction.findall(_q(SAML, "Audience"))]
    if not audiences or not all(audiences):
        raise Refused(SamlError.MALFORMED, "Audience")
    if expected.sp_entity_id not in audiences:
        raise Refused(SamlError.WRONG_AUDIENCE, "Audience")


def _check_level(assertion: Element, expected: Expected) -> int:
    statement = _one(assertion, SAML, "AuthnStatement", "AuthnStatement")
    context = _one(statement, SAML, "AuthnContext", "AuthnContext")
    reference = _text(_one(context, SAML, "AuthnContextClassRef", "AuthnContextClassRef"), "AuthnContextClassRef")
    level = SPID_LEVELS.get(reference)
    if level is None:
        raise Refused(SamlError.MALFORMED, "AuthnContextClassRef")
    if level < expected.level:
        raise Refused(SamlError.LEVEL_TOO_LOW, reference)
    return level


def _check_attributes(assertion: Element) -> None:
    for statement in assertion.findall(_q(SAML, "AttributeStatement")):
        attributes = statement.findall(_q(SAML, "Attribute"))
        if not attributes or not all((a.get("Name") or "").strip() for a in attributes):
            raise Refused(SamlError.MALFORMED, "AttributeStatement")


def check_response(root: Element, expected: Expected) -> int:
    """Raise `Refused` for the first rule the response breaks; the SPID level it attests otherwise."""
    if root.tag != _q(SAMLP, "Response"):
        raise Refused(SamlError.MALFORMED, "not a Response")
    if len(list(root.iter(_q(SAMLP, "Response")))) != 1 or len(list(root.iter(_q(SAML, "Assertion")))) > 1:
        raise Refused(SamlError.MALFORMED, "more than one Response or Assertion")
    _attribute(root, "ID", "Response")
    if root.get("Version") != "2.0":
        raise Refused(SamlError.MALFORMED, "Response: Version")
    _check_instant(root.get("IssueInstant"), "Response IssueInstant", expected)
    if _attribute(root, "InResponseTo", "Response") != expected.request_id:
        raise Refused(SamlError.WRONG_REQUEST, "Response")
    if _attribute(root, "Destination", "Response") != expected.acs_url:
        raise Refused(SamlError.WRONG_DESTINATION, "Response")
    _check_issuer(root, expected, "Response Issuer", format_required=False)
    _check_status(root)
    assertion = _one(root, SAML, "Assertion", "Assertion")
    if assertion.find(_q(DS, "Signature")) is None:
        raise Refused(SamlError.BAD_SIGNATURE, "the assertion is not signed")
    _attribute(assertion, "ID", "Assertion")
    if assertion.get("Version") != "2.0":
        raise Refused(SamlError.MALFORMED, "Assertion: Version")
    _check_instant(assertion.get("IssueInstant"), "Assertion IssueInstant", expected)
    _check_issuer(assertion, expected, "Assertion Issuer", format_required=expected.issuer_format_required)
    _check_subject(assertion, expected)
    _check_conditions(assertion, expected)
    level = _check_level(assertion, expected)
    _check_attributes(assertion)
    return level
