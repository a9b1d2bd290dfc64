"""`flask update-spid-registry`: AgID's registry of the SPID identity providers, here a local copy
served on 127.0.0.1 (signed by a registry key made in the test), becomes one metadata file per
identity provider in SPID_IDP_METADATA_DIR; a broken or forged copy changes nothing and says why."""

from __future__ import annotations

import base64
import functools
import http.server
import subprocess
import threading
from pathlib import Path

import pytest

from portal.services.identity import certificates
from portal.services.identity.providers import configured_providers

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
SIGNATURE_TEMPLATE = (
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>'
    '<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>'
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>'
    '<ds:Reference URI="#_registry"><ds:Transforms>'
    '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
    '<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>'
    '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>'
    "</ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>"
)


def _certificate_body(entity_id: str) -> str:
    _, pem = certificates.make_sp_certificate(
        entity_id=entity_id, common_name="IdP", organization="IdP", ipa_code="idp", locality="Roma", key_size=2048
    )
    return "".join(line for line in pem.decode().splitlines() if not line.startswith("-----"))


def entity(entity_id: str, name: str, *, certificate: str | None = "", sso: bool = True) -> str:
    key = (
        '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
        f"<ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        if certificate is not None
        else ""
    )
    service = (
        f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{entity_id}/sso"/>'
        if sso
        else ""
    )
    return (
        f'<md:EntityDescriptor entityID="{entity_id}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" '
        f'WantAuthnRequestsSigned="true">{key}{service}</md:IDPSSODescriptor>'
        f'<md:Organization><md:OrganizationName xml:lang="it">{name}</md:OrganizationName>'
        f'<md:OrganizationDisplayName xml:lang="it">{name}</md:OrganizationDisplayName>'
        f'<md:OrganizationURL xml:lang="it">{entity_id}</md:OrganizationURL></md:Organization>'
        "</md:EntityDescriptor>"
    )


def aggregate(*entities: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<md:EntitiesDescriptor xmlns:md="{MD}" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" '
        f'ID="_registry" Name="https://idps.spid.gov.it">{SIGNATURE_TEMPLATE}{"".join(entities)}</md:EntitiesDescriptor>'
    )


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """The registry's key and certificate, two providers' certificates, and a folder served over HTTP."""
    folder = tmp_path_factory.mktemp("registry")
    key, cert = certificates.make_sp_certificate(
        entity_id="https://registry.spid.gov.it",
        common_name="Registro SPID",
        organization="AgID",
        ipa_code="agid",
        locality="Roma",
        key_size=2048,
    )
    (folder / "registry.key").write_bytes(key)
    (folder / "registry.pem").write_bytes(cert)
    served = folder / "www"
    served.mkdir()
    handler = functools.partial(QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state = {
        "folder": folder,
        "www": served,
        "url": f"http://127.0.0.1:{server.server_port}",
        "cert": str(folder / "registry.pem"),
        "aruba": _certificate_body("https://loginspid.aruba.it"),
        "poste": _certificate_body("https://posteid.poste.it"),
    }
    yield state
    server.shutdown()
    thread.join(timeout=5)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test's output stays the test's
        pass


def publish(registry, name: str, document: str, *, sign: bool = True) -> str:
    """The document at <url>/<name>, signed with the registry's key (xmlsec1) unless `sign` is False."""
    source = registry["folder"] / f"{name}.unsigned.xml"
    source.write_text(document, encoding="utf-8")
    target = registry["www"] / name
    if sign:
        key = f"{registry['folder'] / 'registry.key'},{registry['cert']}"
        subprocess.run(
            [
                "xmlsec1",
                "--sign",
                "--privkey-pem",
                key,
                "--id-attr:ID",
                f"{MD}:EntitiesDescriptor",
                "--output",
                str(target),
                str(source),
            ],
            check=True,
            capture_output=True,
        )
    else:
        target.write_text(document, encoding="utf-8")
    return f"{registry['url']}/{name}"


@pytest.fixture
def idp_dir(app, tmp_path, monkeypatch):
    folder = tmp_path / "idp"
    folder.mkdir()
    (folder / "demo-idp.xml").write_text(
        entity("http://127.0.0.1:1/metadata.xml", "SPID demo").replace(
            "<md:EntityDescriptor ",
            f'<md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ',
            1,
        )
    )
    monkeypatch.setitem(app.config, "SPID_IDP_METADATA_DIR", str(folder))
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def good(registry) -> str:
    return publish(
        registry,
        "good.xml",
        aggregate(
            entity("https://loginspid.aruba.it", "ArubaPEC S.p.A.", certificate=registry["aruba"]),
            entity("https://posteid.poste.it", "Poste Italiane SpA", certificate=registry["poste"]),
        ),
    )


def test_the_registry_becomes_one_checked_file_per_identity_provider(runner, registry, idp_dir):
    result = runner.invoke(args=["update-spid-registry", "--source", good(registry), "--cert", registry["cert"]])
    assert result.exit_code == 0, result.output
    assert "2 identity providers written" in result.output and "signature checked" in result.output
    written = sorted(path.name for path in idp_dir.glob("registry-*.xml"))
    assert len(written) == 2 and written[0].startswith("registry-loginspid.aruba.it-")
    assert not list(idp_dir.glob(".*"))  # no partial file left behind
    listed = {(p.entity_id, p.name, p.kind) for p in configured_providers(str(idp_dir))}
    assert listed == {
        ("https://loginspid.aruba.it", "ArubaPEC S.p.A.", "spid"),
        ("https://posteid.poste.it", "Poste Italiane SpA", "spid"),
        ("http://127.0.0.1:1/metadata.xml", "SPID demo", "spid"),  # a file the registry does not own stays
    }

    # A provider that left the registry loses its file; the run says so.
    only_aruba = publish(
        registry,
        "aruba.xml",
        aggregate(entity("https://loginspid.aruba.it", "ArubaPEC S.p.A.", certificate=registry["aruba"])),
    )
    again = runner.invoke(args=["update-spid-registry", "--source", only_aruba, "--cert", registry["cert"]])
    assert again.exit_code == 0, again.output
    assert "1 identity providers written" in again.output and "no longer in the registry" in again.output
    assert {p.entity_id for p in configured_providers(str(idp_dir))} == {
        "https://loginspid.aruba.it",
        "http://127.0.0.1:1/metadata.xml",
    }


BROKEN = {
    "truncated": (
        lambda r: aggregate(entity("https://a.example", "A", certificate=r["aruba"]))[:-40],
        False,
        "is not SAML metadata",
    ),
    "entities": (
        lambda r: (
            '<!DOCTYPE x [<!ENTITY e "boom">]>'
            + aggregate(entity("https://a.example", "&e;", certificate=r["aruba"])).split("?>", 1)[1]
        ),
        False,
        "is not SAML metadata",
    ),
    "no certificate": (
        lambda r: aggregate(entity("https://a.example", "A", certificate=None)),
        True,
        "https://a.example: no signing certificate",
    ),
    "bad certificate": (
        lambda r: aggregate(entity("https://a.example", "A", certificate=base64.b64encode(b"x" * 90).decode())),
        True,
        "https://a.example: the signing certificate does not parse",
    ),
    "no sso": (
        lambda r: aggregate(entity("https://a.example", "A", certificate=r["aruba"], sso=False)),
        True,
        "https://a.example: no SingleSignOnService",
    ),
    "no providers": (lambda r: aggregate(), True, "lists no identity provider"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_registry_changes_nothing_and_says_why(runner, registry, idp_dir, case):
    assert (
        runner.invoke(args=["update-spid-registry", "--source", good(registry), "--cert", registry["cert"]]).exit_code
        == 0
    )
    before = snapshot(idp_dir)
    make, signed, reason = BROKEN[case]
    source = publish(registry, f"broken-{case.replace(' ', '-')}.xml", make(registry), sign=signed)
    result = runner.invoke(
        args=["update-spid-registry", "--source", source, "--cert", registry["cert"]]
        if signed
        else ["update-spid-registry", "--source", source]
    )
    assert result.exit_code != 0
    assert reason in result.output and "Nothing changed" in result.output
    assert snapshot(idp_dir) == before


def test_a_forged_registry_is_refused_by_its_signature(runner, registry, idp_dir):
    before = snapshot(idp_dir)
    signed = (registry["www"] / Path(good(registry)).name).read_text()
    # Someone slips their own identity provider's address into the signed document.
    forged = signed.replace("https://posteid.poste.it/sso", "https://attacker.example/sso")
    (registry["www"] / "forged.xml").write_text(forged)
    result = runner.invoke(
        args=["update-spid-registry", "--source", f"{registry['url']}/forged.xml", "--cert", registry["cert"]]
    )
    assert result.exit_code != 0
    assert "signature does not verify" in result.output and "Nothing changed" in result.output
    assert snapshot(idp_dir) == before
    # Unsigned (another key, or none at all) is refused as well once the certificate is configured.
    unsigned = publish(
        registry, "unsigned.xml", aggregate(entity("https://a.example", "A", certificate=registry["aruba"])), sign=False
    )
    refused = runner.invoke(args=["update-spid-registry", "--source", unsigned, "--cert", registry["cert"]])
    assert refused.exit_code != 0 and "signature does not verify" in refused.output
    assert snapshot(idp_dir) == before


def test_an_unreachable_registry_changes_nothing(app, runner, registry, idp_dir, monkeypatch):
    before = snapshot(idp_dir)
    monkeypatch.setitem(app.config, "SPID_REGISTRY_URL", f"{registry['url']}/missing.xml")
    result = runner.invoke(args=["update-spid-registry"])
    assert result.exit_code != 0
    assert "The registry could not be read" in result.output and "404" in result.output
    assert snapshot(idp_dir) == before
