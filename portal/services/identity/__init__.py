"""Signing in with SPID and CIE: the portal as a SAML 2.0 service provider (pysaml2, xmlsec1).

- `providers.py`: the identity providers configured (their metadata files on disk).
- `certificates.py`: the SP's key and self-signed certificate in AgID's form (development, tests).
- `saml_config.py`: pysaml2's configuration, built from the app's.
- `metadata.py`: the SP's signed metadata with the SPID/CIE extensions.
- `saml.py`: the signed AuthnRequest and the strict checks of a Response (`SamlError` says why not).
- `sign_in.py`: the service: the assertion claimed once, the account found or made by codice fiscale.
"""
