"""The service provider's key and a self-signed certificate in the form AgID requires of a public body
(Avviso SPID n.29 v3): subject with commonName, organizationName, uri (the entity ID),
organizationIdentifier "PA:IT-<IPA code>", countryName IT and localityName; RSA of at least 2048 bits,
SHA-256; keyUsage digitalSignature and nonRepudiation (critical); the certificate policies agIDcert and
cert_SP_Pub. For development and the tests; production may use the same command or AgID's own process."""

from __future__ import annotations

import datetime
from pathlib import Path

URI_OID = "2.5.4.83"
ORGANIZATION_IDENTIFIER_OID = "2.5.4.97"
AGID_ROOT_POLICY = "1.3.76.16"
AGID_CERT_POLICY = "1.3.76.16.6"
PUBLIC_SP_POLICY = "1.3.76.16.4.2.1"


def make_sp_certificate(
    *,
    entity_id: str,
    common_name: str,
    organization: str,
    ipa_code: str,
    locality: str,
    key_size: int = 3072,
    days: int = 730,
) -> tuple[bytes, bytes]:
    """A new RSA key and its self-signed certificate, both PEM."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(x509.ObjectIdentifier(URI_OID), entity_id),
            x509.NameAttribute(x509.ObjectIdentifier(ORGANIZATION_IDENTIFIER_OID), f"PA:IT-{ipa_code}"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, locality),
        ]
    )
    policies = x509.CertificatePolicies(
        [
            x509.PolicyInformation(x509.ObjectIdentifier(AGID_ROOT_POLICY), [x509.UserNotice(None, "AgIDroot")]),
            x509.PolicyInformation(x509.ObjectIdentifier(AGID_CERT_POLICY), [x509.UserNotice(None, "agIDcert")]),
            x509.PolicyInformation(x509.ObjectIdentifier(PUBLIC_SP_POLICY), [x509.UserNotice(None, "cert_SP_Pub")]),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
        .add_extension(usage, critical=True)
        .add_extension(policies, critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


def write_sp_certificate(config, *, key_size: int = 3072) -> tuple[Path, Path]:
    """Write SPID_KEY_FILE and SPID_CERT_FILE from the app's SPID settings (the key readable by its owner only)."""
    key_pem, cert_pem = make_sp_certificate(
        entity_id=config["SPID_ENTITY_ID"],
        common_name=config["SPID_ORGANIZATION_DISPLAY_NAME"],
        organization=config["SPID_ORGANIZATION_NAME"],
        ipa_code=config["SPID_IPA_CODE"],
        locality=config["SPID_LOCALITY"],
        key_size=key_size,
    )
    key_path, cert_path = Path(config["SPID_KEY_FILE"]), Path(config["SPID_CERT_FILE"])
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.touch(mode=0o600)
    key_path.write_bytes(key_pem)
    cert_path.write_bytes(cert_pem)
    return key_path, cert_path
