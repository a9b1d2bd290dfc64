"""The SP's self-signed certificate in the form AgID requires of a public body (Avviso SPID n.29 v3)."""

from cryptography import x509
from cryptography.x509.oid import NameOID

from portal.services.identity.certificates import make_sp_certificate


def test_the_certificate_names_the_public_body_as_agid_requires():
    _, pem = make_sp_certificate(
        entity_id="https://portal.example/spid/metadata.xml",
        common_name="Crowdfunding Civico",
        organization="Comune di Milano",
        ipa_code="c_f205",
        locality="Milano",
        key_size=2048,
    )
    certificate = x509.load_pem_x509_certificate(pem)
    subject = {attribute.oid.dotted_string: attribute.value for attribute in certificate.subject}
    assert subject["2.5.4.97"] == "PA:IT-c_f205"  # organizationIdentifier
    assert subject["2.5.4.83"] == "https://portal.example/spid/metadata.xml"  # uri
    assert subject[NameOID.COUNTRY_NAME.dotted_string] == "IT"
    assert subject[NameOID.LOCALITY_NAME.dotted_string] == "Milano"
    assert subject[NameOID.COMMON_NAME.dotted_string] == "Crowdfunding Civico"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    policies = {
        p.policy_identifier.dotted_string
        for p in certificate.extensions.get_extension_for_class(x509.CertificatePolicies).value
    }
    assert {"1.3.76.16.6", "1.3.76.16.4.2.1"} <= policies
    assert certificate.public_key().key_size == 2048
