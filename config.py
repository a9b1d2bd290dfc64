"""Settings per environment, read from environment variables.

`Config` is what `make run` and production use; `TestConfig` is the suite's.
Every value a deployment may change comes from the environment, so the same code
runs on a laptop (SQLite) and in production (PostgreSQL, several app servers).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


# The card payment provider (portal/services/payments/providers): "demo", "stripe", or "none"
# (only bank transfers are offered). Each provider needs these settings to start.
PROVIDER_SETTINGS = {
    "demo": ("DEMO_PROVIDER_URL", "PAYMENT_WEBHOOK_SECRET"),
    "stripe": ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"),
}


def _payment_provider(default: str | None) -> str | None:
    value = _env("PAYMENT_PROVIDER", default)
    return None if value in (None, "none") else value


class Config:
    SECRET_KEY = _env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'portal.db'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # One clock: an ISO 8601 instant with offset fixes "now" for the whole portal
    # (demo, tests, rehearsals). Empty means the real time.
    PORTAL_NOW = _env("PORTAL_NOW")
    # Production refuses to start with a fixed clock (deadlines and campaigns would stop) unless
    # this says the deployment is a demo on purpose: PORTAL_DEMO_CLOCK=1.
    PORTAL_DEMO_CLOCK = _env("PORTAL_DEMO_CLOCK", "0") == "1"
    TIMEZONE = "Europe/Rome"

    LANGUAGES = ("it", "en")
    BABEL_DEFAULT_LOCALE = "it"
    BABEL_DEFAULT_TIMEZONE = "Europe/Rome"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    # Signed session cookie only (no server-side state): any number of app servers.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", "0") == "1"
    WTF_CSRF_TIME_LIMIT = None  # a form may stay open while an applicant works on it
    # New passwords are hashed with werkzeug's scrypt at its default cost (today N=32768, r=8, p=1).
    # A stored hash names its own method, so changing this locks nobody out: old hashes still verify.
    PASSWORD_HASH_METHOD = "scrypt"

    # Rate limits (values and keys: portal/limits.py). Counters must be shared by every worker and
    # server, or each adds its own allowance: with more than one process use a shared Redis,
    # e.g. redis://127.0.0.1:6379/0. memory:// counts per process (a laptop, a single worker).
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # A moving window: "10 per hour" is never 20 across the turn of the hour.
    RATELIMIT_STRATEGY = "moving-window"
    # If Redis is unreachable, each process counts on its own (logged) until it is back, rather
    # than refusing every form.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Per-address limits key on the client's IP. Behind N proxies or load balancers that append to
    # X-Forwarded-For, set PROXY_FIX_X_FOR=N (werkzeug's ProxyFix); 0 trusts no header, so nobody
    # can pick their own address to escape a limit.
    PROXY_FIX_X_FOR = int(_env("PROXY_FIX_X_FOR", "0"))

    # Who people write to; shown on the contacts, privacy and accessibility pages.
    CONTACT_EMAIL = _env("CONTACT_EMAIL", "crowdfunding.civico@comune.milano.example")
    CONTACT_PHONE = _env("CONTACT_PHONE", "020202")
    CONTACT_ADDRESS = _env("CONTACT_ADDRESS", "Comune di Milano, Piazza della Scala 2, 20121 Milano")
    DPO_EMAIL = _env("DPO_EMAIL", "dpo@comune.milano.example")
    ACCESSIBILITY_EMAIL = _env("ACCESSIBILITY_EMAIL", "accessibilita@comune.milano.example")
    SITE_URL = _env("SITE_URL", "http://127.0.0.1:5000")
    # /.well-known/security.txt (RFC 9116): where to report a vulnerability (a mailto: or https: URI),
    # and the disclosure policy (default: the repository's SECURITY.md, served by the portal).
    SECURITY_CONTACT = _env("SECURITY_CONTACT", f"mailto:{CONTACT_EMAIL}")
    SECURITY_POLICY_URL = _env("SECURITY_POLICY_URL")
    # Strict-Transport-Security: only production, which is served over HTTPS alone.
    STRICT_TRANSPORT_SECURITY: str | None = None

    # E-mail leaves through the outbox (`flask send-mail`): "smtp", or "file" (.eml in MAIL_DIR).
    MAIL_BACKEND = _env("MAIL_BACKEND", "smtp")
    MAIL_SERVER = _env("MAIL_SERVER", "localhost")
    MAIL_PORT = int(_env("MAIL_PORT", "25"))
    MAIL_USE_TLS = _env("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_TIMEOUT = 10
    MAIL_SENDER = _env("MAIL_SENDER", "Crowdfunding Civico <noreply@comune.milano.example>")
    MAIL_DOMAIN = _env("MAIL_DOMAIN", "crowdfunding-civico.comune.milano.example")
    MAIL_DIR = _env("MAIL_DIR", str(BASE_DIR / "instance" / "mail"))
    # Course registrants' personal data is blanked this many days after their last event
    # (stated on the privacy page).
    REGISTRANT_RETENTION_DAYS = int(_env("REGISTRANT_RETENTION_DAYS", "90"))
    # Followers of a campaign (e-mail, language, dates) are deleted this many days after it ended,
    # with the e-mails written to them (`flask forget-followers`; stated on the privacy page).
    FOLLOWER_RETENTION_DAYS = int(_env("FOLLOWER_RETENTION_DAYS", "90"))
    # A newsletter issue is queued in the outbox this many e-mails per INSERT, within one transaction
    # (portal/services/newsletter/issues.py).
    NEWSLETTER_BATCH_SIZE = int(_env("NEWSLETTER_BATCH_SIZE", "500"))
    # Applicants' PDF attachments, outside static/ (a shared volume with several app servers).
    UPLOAD_DIR = _env("UPLOAD_DIR", str(BASE_DIR / "instance" / "uploads"))
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024  # one 5 MB PDF and the form around it
    # Campaign photos, re-encoded into variants, and the link-preview images drawn from them: public
    # files under random names, served with long-lived cache headers (a web server may serve the
    # folder itself). A shared volume with several app servers.
    MEDIA_DIR = _env("MEDIA_DIR", str(BASE_DIR / "instance" / "media"))
    # The open-data exports, one copy per data version (portal/kept_files.py): a local directory.
    KEPT_FILES_DIR = _env("KEPT_FILES_DIR", str(BASE_DIR / "instance" / "kept-files"))

    # Pledges are paid by bank transfer to this account (the payment instructions), or through
    # the payment provider, whose notifications are signed with this shared secret (HMAC-SHA256).
    # Without a secret the portal refuses every notification.
    PLEDGE_IBAN = _env("PLEDGE_IBAN", "IT60X0542811101000000123456")
    PLEDGE_BENEFICIARY = _env("PLEDGE_BENEFICIARY", "Comune di Milano – Crowdfunding Civico")
    PLEDGE_BANK = _env("PLEDGE_BANK", "Banca di esempio")
    # The account's BIC, shown with the IBAN and put in the EPC QR code; optional (version 002 of the
    # code leaves it out within the EEA).
    PLEDGE_BIC = _env("PLEDGE_BIC")
    PAYMENT_WEBHOOK_SECRET = _env("PAYMENT_WEBHOOK_SECRET")
    # Card payments through a provider's hosted checkout (None: bank transfers only). The demo
    # provider (demo_provider/, started by `make run`) answers at DEMO_PROVIDER_URL and signs with
    # PAYMENT_WEBHOOK_SECRET; Stripe needs its secret key and the signing secret of its webhook
    # endpoint (STRIPE_API_BASE only for the contract tests' local server).
    PAYMENT_PROVIDER = _payment_provider(None)
    DEMO_PROVIDER_URL = _env("DEMO_PROVIDER_URL")
    STRIPE_SECRET_KEY = _env("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = _env("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = _env("STRIPE_API_BASE")
    # Who on the staff side hears of grants committed and campaigns closed.
    PROGRAMME_TEAM_EMAIL = _env("PROGRAMME_TEAM_EMAIL", CONTACT_EMAIL)

    # The shared page cache of the public pages for anonymous visitors (portal/http_cache.py):
    # redis://… (shared by every worker and server), memory:// (one process), empty: off.
    PAGE_CACHE_URL = _env("PAGE_CACHE_URL", "")
    # The longest a stored page lives, in seconds (any change to the data retires it at once anyway).
    PAGE_CACHE_TIMEOUT = int(_env("PAGE_CACHE_TIMEOUT", "3600"))
    PAGE_CACHE_ENTRIES = int(_env("PAGE_CACHE_ENTRIES", "2000"))  # memory:// only
    # redis:// only: the bytes of stored pages each worker also keeps in its own memory, in front of
    # Redis (the most asked ones; keyed by the data version like Redis's copies). 0: Redis alone.
    PAGE_CACHE_NEAR_BYTES = int(_env("PAGE_CACHE_NEAR_BYTES", str(4 * 1024 * 1024)))
    # On PostgreSQL, each worker hears of every change (LISTEN/NOTIFY) and a visitor without a session
    # cookie costs no query for the data version (portal/services/version_listener.py). 0: every
    # request reads it from the database.
    DATA_VERSION_LISTEN = _env("DATA_VERSION_LISTEN", "1") == "1"
    # Rendered pieces of the public pages each worker keeps per data version (portal/rendering.py
    # `kept_html`, `kept_page`): at most this many bytes, the least recently asked out first.
    KEPT_HTML_BYTES = int(_env("KEPT_HTML_BYTES", str(6 * 1024 * 1024)))
    # Seconds a reverse proxy may serve a public page without asking (s-maxage); 0: it asks every
    # time (a 304 costs one query) and nobody sees a total older than the last pledge.
    PAGE_SHARED_MAX_AGE = int(_env("PAGE_SHARED_MAX_AGE", "0"))
    # A name for the release (e.g. the git commit) in the ETags; unset, a digest of the files.
    PORTAL_BUILD = _env("PORTAL_BUILD")
    # Compression (Flask-Compress): brotli or gzip, as the browser asks; what is compressed:
    # portal/http_cache.py COMPRESSED_TYPES.
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_ALGORITHM_STREAMING = ["br", "deflate"]
    COMPRESS_LEVEL = 6
    COMPRESS_BR_LEVEL = 4
    # Brotli's window, 2**18 bytes: a page is smaller than that (and the exports compress within a
    # percent as well), and each compressor then holds a few hundred KB instead of 4 MB (the default 22).
    COMPRESS_BR_WINDOW = 18

    # Signing in with SPID and CIE (portal/services/identity): the portal is a SAML 2.0 service
    # provider under AgID's SPID rules and the CIE SAML profile. SPID_ENTITY_ID is the SP's name (its
    # metadata's address by convention: SITE_URL + /spid/metadata.xml); SPID_KEY_FILE / SPID_CERT_FILE
    # the PEM key and certificate that sign the metadata and every AuthnRequest (for a public body the
    # certificate follows Avviso SPID n.29 v3: `write_sp_certificate` makes a self-signed one, in
    # portal/services/identity/certificates.py). SPID_ORGANIZATION_* go into md:Organization,
    # SPID_IPA_CODE and SPID_CONTACT_* into the md:ContactPerson's SPID extensions. SPID_LEVEL is the
    # minimum level asked (2; 3 where the service needs it). SPID_IDP_METADATA_DIR holds the identity
    # providers' metadata files (the registry's, kept up to date by a command): read from disk, never
    # fetched at request time. SPID_CLOCK_SKEW_SECONDS: how far an IdP's clock may be from ours.
    SPID_ENABLED = _env("SPID_ENABLED", "0") == "1"
    SPID_ENTITY_ID = _env("SPID_ENTITY_ID", f"{SITE_URL}/spid/metadata.xml")
    SPID_KEY_FILE = _env("SPID_KEY_FILE", str(BASE_DIR / "instance" / "spid" / "sp.key"))
    SPID_CERT_FILE = _env("SPID_CERT_FILE", str(BASE_DIR / "instance" / "spid" / "sp.crt"))
    SPID_ORGANIZATION_NAME = _env("SPID_ORGANIZATION_NAME", "Comune di Milano")
    SPID_ORGANIZATION_DISPLAY_NAME = _env("SPID_ORGANIZATION_DISPLAY_NAME", "Comune di Milano")
    SPID_ORGANIZATION_URL = _env("SPID_ORGANIZATION_URL", "https://www.comune.milano.it")
    SPID_IPA_CODE = _env("SPID_IPA_CODE", "c_f205")
    SPID_LOCALITY = _env("SPID_LOCALITY", "Milano")
    SPID_CONTACT_EMAIL = _env("SPID_CONTACT_EMAIL", CONTACT_EMAIL)
    SPID_CONTACT_PHONE = _env("SPID_CONTACT_PHONE", "+39020202")
    SPID_LEVEL = int(_env("SPID_LEVEL", "2"))
    SPID_IDP_METADATA_DIR = _env("SPID_IDP_METADATA_DIR", str(BASE_DIR / "instance" / "spid" / "idp"))
    SPID_CLOCK_SKEW_SECONDS = int(_env("SPID_CLOCK_SKEW_SECONDS", "60"))
    # `flask update-spid-registry`: AgID's signed aggregate of the SPID identity providers, and the
    # registry's signing certificate (PEM) that checks it (empty: the signature is not checked).
    SPID_REGISTRY_URL = _env("SPID_REGISTRY_URL", "https://registry.spid.gov.it/metadata/idp/spid-entities-idps.xml")
    SPID_REGISTRY_CERT_FILE = _env("SPID_REGISTRY_CERT_FILE", "")
    # Who may still sign in with an e-mail and a password (portal/domain/sign_in.py `PasswordSignIn`):
    # "all" (the demo, the tests, a portal without SPID), "partners" (the back office and partners
    # without SPID; organisations use SPID/CIE), "off" (SPID/CIE only). CAD art. 64 c. 3-bis: since
    # 28 February 2021 a public service gives access through SPID, CIE or CNS, not credentials of its own.
    PASSWORD_SIGN_IN = _env("PASSWORD_SIGN_IN", "all")


class DevConfig(Config):
    """`make run`: SQLite in instance/, a fixed development key, the demo clock."""

    SECRET_KEY = _env("SECRET_KEY", "dev-only-not-secret")
    # Unset: the demo date. Set but empty (`make run PORTAL_NOW=`): the real time.
    PORTAL_NOW = os.environ.get("PORTAL_NOW", "2020-06-01T10:00:00+02:00") or None
    # The demo keeps every e-mail as a file a person can open: instance/mail/*.eml
    MAIL_BACKEND = _env("MAIL_BACKEND", "file")
    MAIL_DELIVER_IMMEDIATELY = True
    # Public pages cached in the process, as production does in Redis.
    PAGE_CACHE_URL = _env("PAGE_CACHE_URL", "memory://")
    # `flask seed-demo` adds the demo staff account of the README; `flask demo-code` prints its code.
    DEMO_ACCOUNTS = True
    # The demo's provider secret, to try the webhook locally (README); production sets its own.
    PAYMENT_WEBHOOK_SECRET = _env("PAYMENT_WEBHOOK_SECRET", "demo-webhook-secret-not-for-production")
    # Card payments through the demo provider that `make run` starts on this address.
    PAYMENT_PROVIDER = _payment_provider("demo")
    DEMO_PROVIDER_URL = _env("DEMO_PROVIDER_URL", "http://127.0.0.1:5010")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "sqlite://")
    PORTAL_NOW = "2020-06-01T10:00:00+02:00"
    WTF_CSRF_ENABLED = True
    PAYMENT_WEBHOOK_SECRET = "test-webhook-secret"
    # The demo provider; a test that pays by card starts its process and sets DEMO_PROVIDER_URL.
    # Nothing answers here: a card checkout started without it fails as an unreachable provider.
    PAYMENT_PROVIDER = "demo"
    DEMO_PROVIDER_URL = "http://127.0.0.1:9"
    # `make test` gives each pass a throwaway Redis (scripts/with-redis.sh); `pytest` alone counts in
    # memory. A Redis that stops answering fails the tests rather than falling back unnoticed.
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = False
    # The shared page cache is off for the suite (a test may change a rule or a setting under a
    # page); tests/web/test_http_cache.py turns it on, in memory and in the pass's Redis.
    PAGE_CACHE_URL = ""
    # A test reads a page right after its own commit: the database's number, not the news of it
    # (tests/web/test_version_listener.py turns the listener on).
    DATA_VERSION_LISTEN = False
    # Hundreds of accounts are made and signed in: a cheap hash keeps the suite fast. Never outside the tests.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProdConfig(Config):
    SESSION_COOKIE_SECURE = _env("SESSION_COOKIE_SECURE", "1") == "1"
    # Cards through Stripe unless PAYMENT_PROVIDER says otherwise ("none": bank transfers only);
    # the provider's keys are then required to start.
    PAYMENT_PROVIDER = _payment_provider("stripe")
    REQUIRED = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", *PROVIDER_SETTINGS.get(PAYMENT_PROVIDER or "", ()))
    # Browsers reach the portal (and the Comune's subdomains) over HTTPS only, for a year.
    STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
    # The page cache belongs in the rate limits' Redis, another database number, e.g.
    # PAGE_CACHE_URL=redis://127.0.0.1:6379/1: every server then shares each stored page.
    # A fixed clock (PORTAL_NOW) stops the start unless PORTAL_DEMO_CLOCK=1.
    REFUSES_FIXED_CLOCK = True


CONFIGS = {"development": DevConfig, "production": ProdConfig, "testing": TestConfig}


def config_from_env() -> type[Config]:
    """The config class named by PORTAL_ENV (default: development)."""
    return CONFIGS[_env("PORTAL_ENV", "development")]
