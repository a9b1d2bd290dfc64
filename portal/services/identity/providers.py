"""The identity providers the portal trusts: one metadata file each (or the registry's file with many)
in SPID_IDP_METADATA_DIR, read from disk — never fetched while someone waits to sign in."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from defusedxml import ElementTree
from flask import current_app

from portal.domain.sign_in import password_allowed

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
MDUI = "urn:oasis:names:tc:SAML:metadata:ui"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The CIE's identity provider (the Ministry of the Interior's), in production and pre-production.
CIE_HOST_SUFFIX = "idserver.servizicie.interno.gov.it"


@dataclass(frozen=True)
class IdentityProvider:
    entity_id: str
    name: str
    kind: Literal["spid", "cie"]
    logo: str | None = None


def metadata_files(directory: str | None = None) -> list[Path]:
    folder = Path(directory or current_app.config["SPID_IDP_METADATA_DIR"])
    return sorted(folder.glob("*.xml")) if folder.is_dir() else []


def _kind(entity_id: str, path: Path) -> Literal["spid", "cie"]:
    host = urlsplit(entity_id).hostname or ""
    return "cie" if host.endswith(CIE_HOST_SUFFIX) or path.stem.lower().startswith("cie") else "spid"


def _text(element, path: str, lang: str = "it") -> str | None:
    found = element.findall(path)
    for item in found:
        if item.get(XML_LANG) == lang and (item.text or "").strip():
            return item.text.strip()
    return next(((item.text or "").strip() for item in found if (item.text or "").strip()), None)


def _providers_in(path: Path) -> list[IdentityProvider]:
    root = ElementTree.parse(path).getroot()
    entities = [root] if root.tag == f"{{{MD}}}EntityDescriptor" else root.iter(f"{{{MD}}}EntityDescriptor")
    found = []
    for entity in entities:
        if entity.find(f"{{{MD}}}IDPSSODescriptor") is None:
            continue
        entity_id = entity.get("entityID")
        name = (
            _text(entity, f".//{{{MDUI}}}DisplayName")
            or _text(entity, f"{{{MD}}}Organization/{{{MD}}}OrganizationDisplayName")
            or _text(entity, f"{{{MD}}}Organization/{{{MD}}}OrganizationName")
            or entity_id
        )
        logo = _text(entity, f".//{{{MDUI}}}Logo")
        found.append(IdentityProvider(entity_id, name, _kind(entity_id, path), logo))
    return found


@functools.lru_cache(maxsize=8)
def _read(files: tuple[tuple[str, int, int], ...]) -> tuple[IdentityProvider, ...]:
    providers = {p.entity_id: p for name, _, _ in files for p in _providers_in(Path(name))}
    return tuple(sorted(providers.values(), key=lambda p: (p.kind != "spid", p.name.casefold())))


def _stamps(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    found = []
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed by the registry's update meanwhile
            continue
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def configured_providers(directory: str | None = None) -> list[IdentityProvider]:
    """Every identity provider in the metadata folder, SPID's first, each by name. The files are parsed
    again only when one is added, removed or changed (their names, mtimes and sizes are the cache's
    key): the sign-in page and every SAML message ask this."""
    return list(_read(_stamps(metadata_files(directory))))


def provider(entity_id: str | None) -> IdentityProvider | None:
    return next((p for p in configured_providers() if p.entity_id == entity_id), None)


def password_sign_in_allowed(*, back_office_role: bool | None = None) -> bool:
    """Whether PASSWORD_SIGN_IN lets this person (or, `back_office_role` None, anyone: whether the
    sign-in page offers the password form) sign in with an e-mail and a password."""
    return password_allowed(current_app.config.get("PASSWORD_SIGN_IN", "all"), back_office_role=back_office_role)
