"""The demo identity provider's SAML side: pysaml2's `Server`, its signed metadata, the service
provider's AuthnRequest and LogoutRequest read (signatures checked against the SP's metadata), the
signed Response and LogoutResponse made."""

from __future__ import annotations

import base64
import re
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from demo_idp import DISPLAY_NAME
from demo_idp.identities import TestIdentity

ATTRIBUTE_MAPS = Path(__file__).with_name("attributemaps")
SIGNING_ALGORITHM = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_ALGORITHM = "http://www.w3.org/2001/04/xmlenc#sha256"
BASIC = "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"
SPID_LEVEL = re.compile(r"^https://www\.spid\.gov\.it/SpidL([123])$")
# SPID's anomaly 25 (the person cancelled at the identity provider), as AgID's rules word the status.
CANCELLED = ("urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", "ErrorCode nr25")


class Unacceptable(Exception):
    """A request the demo identity provider will not answer: unsigned, from an unknown SP, malformed."""


@dataclass(frozen=True)
class PendingRequest:
    """An AuthnRequest read and verified, waiting for the person to choose who they are."""

    request_id: str
    sp_entity_id: str
    acs_url: str
    level: int
    relay_state: str


@dataclass(frozen=True)
class Outgoing:
    """A message the browser posts to the service provider: `field` (SAMLResponse) at `destination`."""

    destination: str
    field: str
    value: str
    relay_state: str


def _xmlsec() -> str:
    import shutil

    found = shutil.which("xmlsec1")
    if not found:
        raise SystemExit("xmlsec1 is missing: scripts/run-deps.sh installs it (Debian's xmlsec1)")
    return found


class DemoIdentityProvider:
    """One pysaml2 `Server` per change of the service provider's metadata, built from `sp_source`
    (a URL or a file), read again when a request comes from a service provider not yet known."""

    def __init__(self, base_url: str, key_file: Path, cert_file: Path, sp_source: str, workdir: Path) -> None:
        self.base_url = base_url.rstrip("/")
        self.entity_id = f"{self.base_url}/metadata.xml"
        self.key_file = key_file
        self.cert_file = cert_file
        self.sp_source = sp_source
        self.sp_file = workdir / "sp-metadata.xml"
        self.xmlsec = _xmlsec()
        self._lock = threading.Lock()
        self._server = None

    # --- configuration ------------------------------------------------------------------------

    def _settings(self, with_sp: bool) -> dict:
        from saml2 import BINDING_HTTP_POST

        return {
            "entityid": self.entity_id,
            "xmlsec_binary": self.xmlsec,
            "key_file": str(self.key_file),
            "cert_file": str(self.cert_file),
            "metadata": {"local": [str(self.sp_file)]} if with_sp else {},
            "accepted_time_diff": 60,
            "allow_unknown_attributes": True,
            "attribute_map_dir": str(ATTRIBUTE_MAPS),
            "organization": {
                "name": [(DISPLAY_NAME, "it"), ("SPID demo (development only)", "en")],
                "display_name": [(DISPLAY_NAME, "it"), ("SPID demo (development only)", "en")],
                "url": [(self.base_url, "it")],
            },
            "service": {
                "idp": {
                    "name": DISPLAY_NAME,
                    "endpoints": {
                        "single_sign_on_service": [(f"{self.base_url}/sso", BINDING_HTTP_POST)],
                        "single_logout_service": [(f"{self.base_url}/slo", BINDING_HTTP_POST)],
                    },
                    "name_id_format": ["urn:oasis:names:tc:SAML:2.0:nameid-format:transient"],
                    "want_authn_requests_signed": True,
                    "only_use_keys_in_metadata": True,
                    "policy": {
                        "default": {
                            "attribute_restrictions": None,
                            "lifetime": {"minutes": 5},
                            "name_form": BASIC,
                        }
                    },
                    "signing_algorithm": SIGNING_ALGORITHM,
                    "digest_algorithm": DIGEST_ALGORITHM,
                }
            },
        }

    def _config(self, with_sp: bool):
        from saml2.config import IdPConfig

        config = IdPConfig()
        config.load(self._settings(with_sp))
        return config

    def metadata(self) -> str:
        """Its metadata, signed with its key: what the portal's SPID_IDP_METADATA_DIR holds."""
        from saml2.metadata import entity_descriptor, sign_entity_descriptor
        from saml2.sigver import security_context

        config = self._config(with_sp=False)
        descriptor = entity_descriptor(config)
        _, signed = sign_entity_descriptor(
            descriptor, None, security_context(config), sign_alg=SIGNING_ALGORITHM, digest_alg=DIGEST_ALGORITHM
        )
        return str(signed)

    def _read_sp_metadata(self) -> None:
        if re.match(r"^https?://", self.sp_source):
            with urllib.request.urlopen(self.sp_source, timeout=10) as answer:  # noqa: S310 (http(s) only)
                document = answer.read()
        else:
            document = Path(self.sp_source).read_bytes()
        self.sp_file.write_bytes(document)

    def server(self, *, refresh: bool = False):
        from saml2.server import Server

        with self._lock:
            if self._server is None or refresh:
                try:
                    self._read_sp_metadata()
                except OSError as error:
                    raise Unacceptable(f"the service provider's metadata is not readable: {error}") from error
                self._server = Server(config=self._config(with_sp=True))
            return self._server

    # --- single sign-on -----------------------------------------------------------------------

    def _parsed(self, parse, encoded: str, what: str):
        """`parse` (a method of the server) on `encoded`, the SP's metadata read again once if the
        message's issuer was not known (the portal started, or changed its key, after this process)."""
        from saml2 import BINDING_HTTP_POST

        last: Exception | None = None
        for refresh in (False, True):
            try:
                message = parse(self.server(refresh=refresh), encoded, BINDING_HTTP_POST)
            except Unacceptable:
                raise
            except Exception as error:  # pysaml2 raises many kinds: unknown issuer, bad signature, …
                last = error
                continue
            if message is not None:
                return message
        raise Unacceptable(f"{what} refused: {type(last).__name__ if last else 'empty'}: {str(last or '')[:200]}")

    def read_authn_request(self, saml_request: str, relay_state: str) -> PendingRequest:
        request = self._parsed(
            lambda server, text, binding: server.parse_authn_request(text, binding), saml_request, "AuthnRequest"
        ).message
        sp_entity_id = request.issuer.text.strip() if request.issuer is not None else ""
        acs_url = request.assertion_consumer_service_url
        if not acs_url:
            acs = self.server().metadata.assertion_consumer_service(sp_entity_id)
            acs_url = acs[0]["location"] if acs else ""
        if not acs_url:
            raise Unacceptable("no AssertionConsumerService")
        return PendingRequest(request.id, sp_entity_id, acs_url, _level(request), relay_state)

    def authn_response(self, pending: PendingRequest, person: TestIdentity) -> Outgoing:
        """The signed Response (signed Assertion inside) telling the SP who `person` is."""
        import secrets

        from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID

        response = self.server().create_authn_response(
            person.attributes(),
            in_response_to=pending.request_id,
            destination=pending.acs_url,
            sp_entity_id=pending.sp_entity_id,
            name_id=NameID(
                text=f"_{secrets.token_hex(16)}", format=NAMEID_FORMAT_TRANSIENT, name_qualifier=self.entity_id
            ),
            authn={"class_ref": f"https://www.spid.gov.it/SpidL{pending.level}", "authn_auth": self.entity_id},
            sign_assertion=True,
            sign_response=True,
            sign_alg=SIGNING_ALGORITHM,
            digest_alg=DIGEST_ALGORITHM,
        )
        return Outgoing(pending.acs_url, "SAMLResponse", _b64(str(response)), pending.relay_state)

    def cancelled_response(self, pending: PendingRequest) -> Outgoing:
        """The signed answer of a person who pressed "Annulla": status AuthnFailed, SPID anomaly 25."""
        response = self.server().create_error_response(
            pending.request_id,
            pending.acs_url,
            CANCELLED,
            sign=True,
            sign_alg=SIGNING_ALGORITHM,
            digest_alg=DIGEST_ALGORITHM,
        )
        return Outgoing(pending.acs_url, "SAMLResponse", _b64(str(response)), pending.relay_state)

    # --- single logout ------------------------------------------------------------------------

    def logout_response(self, saml_request: str, relay_state: str) -> Outgoing:
        """The signed LogoutResponse to the SP's signed LogoutRequest, for its SingleLogoutService."""
        from saml2 import BINDING_HTTP_POST

        request = self._parsed(
            lambda server, text, binding: server.parse_logout_request(text, binding), saml_request, "LogoutRequest"
        ).message
        server = self.server()
        destination = server.response_args(request, [BINDING_HTTP_POST]).get("destination")
        if not destination:
            raise Unacceptable("no HTTP-POST SingleLogoutService in the service provider's metadata")
        response = server.create_logout_response(
            request, [BINDING_HTTP_POST], sign=True, sign_alg=SIGNING_ALGORITHM, digest_alg=DIGEST_ALGORITHM
        )
        return Outgoing(destination, "SAMLResponse", _b64(str(response)), relay_state)


def _b64(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


def _level(request) -> int:
    """The SPID level the request asks (its minimum, RequestedAuthnContext): 2 when it names none."""
    context = request.requested_authn_context
    for reference in (context.authn_context_class_ref if context is not None else None) or []:
        found = SPID_LEVEL.match((reference.text or "").strip())
        if found:
            return int(found.group(1))
    return 2
