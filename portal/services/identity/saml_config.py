"""pysaml2's configuration of the service provider, built from the app's SPID_* settings.

Built per call (cheap: the metadata folder is read through pysaml2's MetadataStore, files on disk
only), so a test or a deployment changing the settings never meets a stale copy."""

from __future__ import annotations

import shutil

from flask import current_app

from portal.services.identity.providers import metadata_files

ACS_PATH = "/spid/acs"
SLS_PATH = "/spid/sls"
METADATA_PATH = "/spid/metadata.xml"
CIE_METADATA_PATH = "/cie/metadata.xml"
REQUESTED_ATTRIBUTES = ("fiscalNumber", "name", "familyName", "email")
SIGNING_ALGORITHM = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_ALGORITHM = "http://www.w3.org/2001/04/xmlenc#sha256"


def site_url(path: str) -> str:
    return current_app.config["SITE_URL"].rstrip("/") + path


def entity_id(kind: str = "spid") -> str:
    """The SP's entity ID: SPID_ENTITY_ID; for the CIE, CIE_ENTITY_ID or the CIE metadata's address."""
    config = current_app.config
    if kind == "cie":
        return config.get("CIE_ENTITY_ID") or site_url(CIE_METADATA_PATH)
    return config["SPID_ENTITY_ID"]


def xmlsec_binary() -> str:
    return shutil.which("xmlsec1") or "/usr/bin/xmlsec1"


def sp_config(kind: str = "spid"):
    """A pysaml2 SPConfig for signing requests and checking responses."""
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.config import SPConfig
    from saml2.saml import NAMEID_FORMAT_TRANSIENT

    config = current_app.config
    settings = {
        "entityid": entity_id(kind),
        "xmlsec_binary": xmlsec_binary(),
        "key_file": config["SPID_KEY_FILE"],
        "cert_file": config["SPID_CERT_FILE"],
        "metadata": {"local": [str(path) for path in metadata_files()]},
        "accepted_time_diff": config["SPID_CLOCK_SKEW_SECONDS"],
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": config["SPID_ORGANIZATION_DISPLAY_NAME"],
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "endpoints": {
                    "assertion_consumer_service": [(site_url(ACS_PATH), BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (site_url(SLS_PATH), BINDING_HTTP_POST),
                        (site_url(SLS_PATH), BINDING_HTTP_REDIRECT),
                    ],
                },
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,  # SPID: the assertion always signed, the response may be
                "only_use_keys_in_metadata": True,
                "allow_unsolicited": False,
                "signing_algorithm": SIGNING_ALGORITHM,
                "digest_algorithm": DIGEST_ALGORITHM,
            }
        },
    }
    sp = SPConfig()
    sp.load(settings)
    return sp
