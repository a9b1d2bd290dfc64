"""The identity providers' registry: AgID's signed metadata aggregate of the SPID identity providers,
downloaded by an operator's command (`flask update-spid-registry`), checked, and written as one
metadata file per identity provider into SPID_IDP_METADATA_DIR — the folder the portal reads its
providers from (`providers.py`), never fetched while someone waits to sign in.

Nothing changes unless the whole download is good: the document parses (no DTD, no entities), the
aggregate's signature verifies against the registry's certificate when one is configured (xmlsec1),
and every identity provider in it has an entityID, an IDPSSODescriptor with an HTTP-POST or
HTTP-Redirect SingleSignOnService and a signing certificate that parses. The files are written
beside their final names and renamed into place; the registry's own files no longer in the registry
are removed last. Files the registry did not write (the demo identity provider's, the CIE's) stay.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

# AgID's aggregate of every SPID identity provider's metadata (signed EntitiesDescriptor), as the
# registry documents it (https://registry.spid.gov.it, and italia/spid-sp-access-button's README).
REGISTRY_URL = "https://registry.spid.gov.it/metadata/idp/spid-entities-idps.xml"
PREFIX = "registry-"  # the files this module owns in the folder
MAX_BYTES = 10 * 1024 * 1024  # the aggregate is ~200 KB; more is not a registry
TIMEOUT_SECONDS = 30
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
SSO_BINDINGS = {
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
}


class RegistryError(StrEnum):
    UNREADABLE = "unreadable"  # the download or the file failed
    NOT_METADATA = "not_metadata"  # not XML, or not SAML metadata
    BAD_SIGNATURE = "bad_signature"  # the aggregate's signature does not verify with the registry's certificate
    INVALID_PROVIDER = "invalid_provider"  # an identity provider's metadata lacks what the portal needs
    NO_PROVIDERS = "no_providers"  # metadata, but no identity provider in it


MESSAGES = {
    RegistryError.UNREADABLE: "The registry could not be read",
    RegistryError.NOT_METADATA: "The registry's document is not SAML metadata",
    RegistryError.BAD_SIGNATURE: "The registry's signature does not verify with its certificate",
    RegistryError.INVALID_PROVIDER: "An identity provider's metadata is not usable",
    RegistryError.NO_PROVIDERS: "The registry lists no identity provider",
}


class RegistryRefused(Exception):
    """The download is not used; `code` says why, `detail` where."""

    def __init__(self, code: RegistryError, detail: str = "") -> None:
        super().__init__(f"{MESSAGES[code]}: {detail}" if detail else MESSAGES[code])
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Provider:
    entity_id: str
    file_name: str
    xml: bytes


@dataclass(frozen=True)
class Update:
    written: tuple[str, ...]  # entity IDs, as written
    removed: tuple[str, ...]  # file names of providers no longer in the registry


# --- reading ------------------------------------------------------------------------------------


def read_source(source: str) -> bytes:
    """The document at `source`: an http(s) URL or a file."""
    scheme = urlsplit(source).scheme
    try:
        if scheme in ("http", "https"):
            with urllib.request.urlopen(source, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 (http(s) only)
                document = answer.read(MAX_BYTES + 1)
        elif scheme in ("", "file") or len(scheme) == 1:
            path = Path(source.removeprefix("file://"))
            with path.open("rb") as file:
                document = file.read(MAX_BYTES + 1)
        else:
            raise RegistryRefused(RegistryError.UNREADABLE, f"{source}: only http(s) addresses and files")
    except (OSError, urllib.error.URLError, ValueError) as error:
        raise RegistryRefused(RegistryError.UNREADABLE, f"{source}: {error}") from error
    if len(document) > MAX_BYTES:
        raise RegistryRefused(RegistryError.UNREADABLE, f"{source}: larger than {MAX_BYTES} bytes")
    return document


def _parse(document: bytes):
    """The document's root (lxml, prefixes kept as written: signatures cover them), after defusedxml
    refused what an XML bomb or an external entity needs."""
    from defusedxml import ElementTree as Safe
    from lxml import etree

    try:
        Safe.fromstring(document)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
        return etree.fromstring(document, parser)
    except Exception as error:  # ParseError, defusedxml's refusals (DTDs, entities), lxml's syntax errors
        raise RegistryRefused(RegistryError.NOT_METADATA, f"{type(error).__name__}: {error}") from error


def verify_signature(document: bytes, certificate_file: str, root_tag: str) -> None:
    """xmlsec1 checks the enveloped signature of the root element with the registry's certificate."""
    import shutil

    xmlsec = shutil.which("xmlsec1")
    if xmlsec is None:
        raise RegistryRefused(RegistryError.BAD_SIGNATURE, "xmlsec1 is not installed (scripts/run-deps.sh)")
    with tempfile.NamedTemporaryFile(suffix=".xml") as copy:
        copy.write(document)
        copy.flush()
        checked = subprocess.run(  # noqa: S603 (fixed arguments, our own temporary file)
            [xmlsec, "--verify", "--pubkey-cert-pem", certificate_file, "--id-attr:ID", root_tag, copy.name],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    if checked.returncode != 0:
        reason = next((line for line in checked.stderr.splitlines() if "fail" in line.lower()), "").strip()
        raise RegistryRefused(RegistryError.BAD_SIGNATURE, reason[:200] or "xmlsec1 refused it")


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _check_certificate(text: str | None, entity_id: str) -> None:
    from cryptography import x509

    try:
        x509.load_der_x509_certificate(base64.b64decode("".join((text or "").split()), validate=True))
    except (binascii.Error, ValueError) as error:
        raise RegistryRefused(
            RegistryError.INVALID_PROVIDER, f"{entity_id}: the signing certificate does not parse"
        ) from error


def _check_provider(entity) -> str:
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        raise RegistryRefused(RegistryError.INVALID_PROVIDER, "an EntityDescriptor without entityID")
    descriptor = entity.find(_q(MD, "IDPSSODescriptor"))
    if descriptor is None:
        raise RegistryRefused(RegistryError.INVALID_PROVIDER, f"{entity_id}: no IDPSSODescriptor")
    if not any(
        service.get("Binding") in SSO_BINDINGS and service.get("Location")
        for service in descriptor.findall(_q(MD, "SingleSignOnService"))
    ):
        raise RegistryRefused(RegistryError.INVALID_PROVIDER, f"{entity_id}: no SingleSignOnService")
    signing = [key for key in descriptor.findall(_q(MD, "KeyDescriptor")) if key.get("use") in (None, "", "signing")]
    certificates = [key.find(f".//{_q(DS, 'X509Certificate')}") for key in signing]
    certificates = [element for element in certificates if element is not None]
    if not certificates:
        raise RegistryRefused(RegistryError.INVALID_PROVIDER, f"{entity_id}: no signing certificate")
    for certificate in certificates:
        _check_certificate(certificate.text, entity_id)
    return entity_id


def file_name(entity_id: str) -> str:
    """A stable, safe file name for an identity provider: its host, and a digest of the whole ID."""
    host = re.sub(r"[^a-z0-9.-]", "-", (urlsplit(entity_id).hostname or "idp").lower()).strip(".-") or "idp"
    digest = hashlib.sha256(entity_id.encode()).hexdigest()[:10]
    return f"{PREFIX}{host}-{digest}.xml"


def providers_in(document: bytes, certificate_file: str | None = None) -> list[Provider]:
    """Every identity provider of a registry document (an EntitiesDescriptor, or one EntityDescriptor),
    each checked, or `RegistryRefused` for the first problem."""
    from lxml import etree

    root = _parse(document)
    if root.tag not in (_q(MD, "EntitiesDescriptor"), _q(MD, "EntityDescriptor")):
        raise RegistryRefused(RegistryError.NOT_METADATA, f"the root element is {root.tag}")
    if certificate_file:
        tag = "EntitiesDescriptor" if root.tag == _q(MD, "EntitiesDescriptor") else "EntityDescriptor"
        verify_signature(document, certificate_file, f"{MD}:{tag}")
    entities = [root] if root.tag == _q(MD, "EntityDescriptor") else root.findall(f".//{_q(MD, 'EntityDescriptor')}")
    found: dict[str, Provider] = {}
    for entity in entities:
        if entity.find(_q(MD, "IDPSSODescriptor")) is None and root.tag == _q(MD, "EntitiesDescriptor"):
            continue  # an aggregate may carry other entities (the registry's own): not identity providers
        entity_id = _check_provider(entity)
        xml = etree.tostring(entity, xml_declaration=True, encoding="UTF-8")
        found[entity_id] = Provider(entity_id, file_name(entity_id), xml)
    if not found:
        raise RegistryRefused(RegistryError.NO_PROVIDERS)
    return sorted(found.values(), key=lambda provider: provider.file_name)


# --- writing ------------------------------------------------------------------------------------


def _write_all(folder: Path, providers: list[Provider]) -> None:
    """Every file written beside its final name, then renamed into place: a reader (the portal,
    building its SAML configuration) sees each file whole, the old one or the new one."""
    partials: list[tuple[Path, Path]] = []
    try:
        for provider in providers:
            handle, name = tempfile.mkstemp(prefix=".registry-", suffix=".partial", dir=folder)
            with os.fdopen(handle, "wb") as file:
                file.write(provider.xml)
                file.flush()
                os.fsync(file.fileno())
            Path(name).chmod(0o644)
            partials.append((Path(name), folder / provider.file_name))
    except OSError:
        for partial, _ in partials:
            with contextlib.suppress(OSError):
                partial.unlink()
        raise
    for partial, final in partials:
        partial.replace(final)


def update_registry(source: str, folder: str | Path, certificate_file: str | None = None) -> Update:
    """Read the registry at `source`, check it, and make `folder` hold exactly its identity providers
    (beside files the registry does not own). `RegistryRefused` leaves the folder as it was."""
    providers = providers_in(read_source(source), certificate_file)
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
        _write_all(target, providers)
    except OSError as error:
        raise RegistryRefused(RegistryError.UNREADABLE, f"{target}: {error}") from error
    kept = {provider.file_name for provider in providers}
    removed = []
    for stale in sorted(target.glob(f"{PREFIX}*.xml")):
        if stale.name not in kept:
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
            removed.append(stale.name)
    return Update(tuple(provider.entity_id for provider in providers), tuple(removed))
