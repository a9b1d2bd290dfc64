"""The demo SPID identity provider: a stand-in for a SPID identity provider, for `make run` and the tests.

**Never for production.** It asks no password, keeps everything in memory and listens on 127.0.0.1
only. It is a real SAML 2.0 identity provider (pysaml2's `Server`, signing with xmlsec1): the portal
reaches it exactly as it reaches a real one, through its metadata file in SPID_IDP_METADATA_DIR, a
signed AuthnRequest posted by the browser, and a signed Response posted back to the portal's
assertion consumer service. `make run` starts it in development (scripts/run-demo.sh).

Run it alone::

    python -m demo_idp --sp-metadata http://127.0.0.1:5000/spid/metadata.xml \\
        --metadata-dir instance/spid/idp [--port 0] [--ready-file PATH]

At start it makes its own RSA key and self-signed certificate (`demo_idp.keys`), and writes its
metadata to ``<metadata-dir>/demo-idp.xml`` (removed again when it stops), so the portal's chooser
lists "SPID demo (solo sviluppo)". The service provider's metadata (a URL or a file) is read when the
first request comes, and again whenever a request comes from a service provider it does not know yet:
the portal may start after it.

* ``GET /metadata.xml``: its signed metadata.
* ``POST /sso`` (``SAMLRequest``, ``RelayState``): a signed AuthnRequest (HTTP-POST binding) → the page
  listing the test identities (`demo_idp.identities.IDENTITIES`); the person picks one and presses
  "Accedi" → ``POST /sso/answer`` → a page posting a signed Response with a signed Assertion to the
  request's AssertionConsumerServiceURL (sent at once by a script, or by its visible button):
  AuthnContextClassRef the level asked (SpidL2 when none), the attributes ``fiscalNumber``
  (``TINIT-<codice fiscale>``), ``name``, ``familyName``, ``email``. "Annulla" answers the SPID anomaly
  25 (the person cancelled).
* ``POST /slo`` (``SAMLRequest``): a signed LogoutRequest → a signed LogoutResponse posted to the
  service provider's SingleLogoutService.
* ``GET /healthz``.
"""

from __future__ import annotations

METADATA_FILE = "demo-idp.xml"
DISPLAY_NAME = "SPID demo (solo sviluppo)"
