# ruff: noqa: E501 — SAML documents written out as they travel
"""The identity providers the portal lists: read from the metadata folder (the registry's file or one
file per provider), SPID's first, the CIE told apart by its host."""

from portal.services.identity.providers import IdentityProvider, configured_providers

ENTITIES = """<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui">
<md:EntityDescriptor entityID="https://idp.zeta.example"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>
<md:Organization><md:OrganizationName xml:lang="it">Zeta S.p.A.</md:OrganizationName><md:OrganizationDisplayName xml:lang="en">Zeta EN</md:OrganizationDisplayName><md:OrganizationDisplayName xml:lang="it">Zeta ID</md:OrganizationDisplayName></md:Organization></md:EntityDescriptor>
<md:EntityDescriptor entityID="https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>
<md:EntityDescriptor entityID="https://sp.example"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>
</md:EntitiesDescriptor>"""

ONE = """<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.alfa.example">
<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>
<md:Organization><md:OrganizationDisplayName xml:lang="it">Alfa ID</md:OrganizationDisplayName></md:Organization></md:EntityDescriptor>"""


def test_identity_providers_come_from_the_metadata_files(tmp_path):
    (tmp_path / "registry.xml").write_text(ENTITIES)
    (tmp_path / "alfa.xml").write_text(ONE)
    (tmp_path / "notes.txt").write_text("not metadata")
    assert configured_providers(str(tmp_path)) == [
        IdentityProvider("https://idp.alfa.example", "Alfa ID", "spid"),
        IdentityProvider("https://idp.zeta.example", "Zeta ID", "spid"),
        IdentityProvider(
            "https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO",
            "https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO",
            "cie",
        ),
    ]


def test_no_folder_no_providers(tmp_path):
    assert configured_providers(str(tmp_path / "missing")) == []


def test_the_files_are_parsed_again_only_when_one_changes(tmp_path, monkeypatch):
    import os

    from portal.services.identity import providers

    (tmp_path / "alfa.xml").write_text(ONE)
    parsed = []
    real = providers._providers_in
    monkeypatch.setattr(providers, "_providers_in", lambda path: parsed.append(path.name) or real(path))
    first = configured_providers(str(tmp_path))
    assert configured_providers(str(tmp_path)) == first and parsed == ["alfa.xml"]  # the second read: no parsing

    (tmp_path / "alfa.xml").write_text(ONE.replace("Alfa ID", "Alfa Identità"))
    stat = (tmp_path / "alfa.xml").stat()
    os.utime(tmp_path / "alfa.xml", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert [p.name for p in configured_providers(str(tmp_path))] == ["Alfa Identità"]
    (tmp_path / "zeta.xml").write_text(ENTITIES)
    assert len(configured_providers(str(tmp_path))) == 3
    (tmp_path / "zeta.xml").unlink()
    assert [p.name for p in configured_providers(str(tmp_path))] == ["Alfa Identità"]
