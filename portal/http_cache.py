"""HTTP caching of the public pages, for anonymous visitors: validators, a shared page cache,
compression.

- `SHARED_PAGES` is the one list of the pages that are the same for every anonymous visitor.
  Token pages (a supporter's, a pledge's status, a personal registration page), forms with a CSRF
  token and every page of a signed-in person are never in it, and never stored.
- Every shared page carries a weak ETag made of the data version (portal/services/data_version.py:
  the committed data and the time boundaries passed), the build (the deployment's files), the
  variant (page or htmx fragment), the language and the content coding. A matching
  `If-None-Match` is answered 304 before the view runs: the version's one query, no rendering.
- With `PAGE_CACHE_URL` set (redis://… shared by every server, memory:// per process), a shared
  page is stored once rendered and compressed, and served from a before_request hook that runs
  ahead of every other: one query (the version) and one cache read. Stored only when nothing in
  it belongs to someone: anonymous, 200, no cookie set, session untouched, no CSRF token made,
  not no-store, not streamed. With Redis, each worker also keeps its most asked pages in its own
  memory (`_NearCache`, PAGE_CACHE_NEAR_BYTES), under the same version-bearing keys.
- Flask-Compress compresses text (HTML, CSS, JS, JSON, CSV, XML, SVG, calendars) with brotli or
  gzip, as the browser asks.

Cache-Control of a shared page: `public, max-age=0, must-revalidate` — browsers and proxies may
keep it, and ask each time (a 304 costs one query), so nobody ever sees a page older than the last
pledge. `PAGE_SHARED_MAX_AGE=N` adds `s-maxage=N`: a reverse proxy may then serve it N seconds
without asking, absorbing a burst, at the price of totals up to N seconds old.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from cachetools import TTLCache
from flask import Flask, Response, current_app, g, request, session
from flask_caching import Cache
from flask_compress import Compress
from flask_compress.flask_compress import _choose_algorithm
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from portal.rendering import wants_fragment
from portal.services import data_version

log = logging.getLogger(__name__)

# The pages that are the same for every anonymous visitor (endpoint names).
SHARED_PAGES = frozenset(
    {
        # home and content pages
        "pages.home",
        "pages.accessibility",
        "pages.contacts",
        "pages.cookies",
        "pages.legal",
        "pages.privacy",
        "root.security_txt",
        "root.security_policy",
        # the call, its eligibility check, the info session, events and the calendar
        "call.edition",
        "call.edition_current",
        "call.eligibility",
        "call.info_session",
        "call.event",
        "call.event_ics",
        "courses.calendar_page",
        "courses.calendar_feed",
        # campaigns: the gallery (page and htmx fragment), a campaign's page, the tracker
        "campaigns.gallery",
        "campaigns.detail",
        "transparency.tracker",
        # open data, feed, sitemaps, robots.txt
        "transparency.opendata_page",
        "transparency.projects_csv",
        "transparency.projects_json",
        "transparency.milestones_csv",
        "transparency.milestones_json",
        "transparency.indicators_csv",
        "transparency.indicators_json",
        "transparency.catalogue_turtle",
        "transparency.catalogue_jsonld",
        "transparency.feed",
        "transparency.robots",
        "transparency.sitemap",
        "transparency.sitemap_of_campaigns",
        "transparency.sitemap_of_pages",
    }
)

COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/csv",
    "text/turtle",
    "application/ld+json",
    "text/xml",
    "text/calendar",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "image/svg+xml",
]

# What a shared page depends on besides its address: a proxy keeps one copy per value, and never
# gives a copy made for a visitor without cookies to someone with a session.
SHARED_VARY = ("HX-Request", "Accept-Encoding", "Cookie")

# Flask-Login's keys: a signed-in person, and messages meant for whoever the session belongs to.
_PERSONAL_SESSION_KEYS = ("_user_id", "_flashes")
# Headers a stored answer never carries (the rest is replayed as it was).
_NOT_STORED = frozenset({"set-cookie", "date"})

compress = Compress()


@dataclass(frozen=True)
class _Entry:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class _Validator:
    etag: str
    cache_key: str
    vary: tuple[str, ...]


def build_id(root: Path) -> str:
    """The deployment's build: a digest of the package's files (code, templates, static files,
    translations), the same on every server that runs the same release."""
    digest = hashlib.blake2b(digest_size=6)
    for base in (root, root.parent / "translations"):
        for path in sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class _NearCache:
    """The shared cache (Redis), with each worker's most asked pages in front of it: up to
    PAGE_CACHE_NEAR_BYTES of stored answers, least recently asked out first, none older than
    PAGE_CACHE_TIMEOUT. Their keys carry the data version and the build, like the shared cache's,
    so any change retires both at once; a hit here costs no round trip to Redis."""

    def __init__(self, shared: Cache, max_bytes: int, timeout: int) -> None:
        self.shared = shared
        self.near: TTLCache = TTLCache(maxsize=max_bytes, ttl=timeout, getsizeof=_entry_size)
        self.lock = threading.Lock()  # cachetools' caches are not thread-safe

    def get(self, key: str) -> _Entry | None:
        with self.lock:
            entry = self.near.get(key)
        if entry is None:
            entry = self.shared.get(key)
            if entry is not None:
                self._keep(key, entry)
        return entry

    def set(self, key: str, entry: _Entry) -> None:
        self.shared.set(key, entry)
        self._keep(key, entry)

    def _keep(self, key: str, entry: _Entry) -> None:
        if _entry_size(entry) <= self.near.maxsize:
            with self.lock:
                self.near[key] = entry


def _entry_size(entry: _Entry) -> int:
    return len(entry.body) + 1024  # the headers, roughly


def _page_cache(app: Flask) -> Cache | _NearCache | None:
    url = app.config.get("PAGE_CACHE_URL") or ""
    if not url:
        return None
    timeout = app.config["PAGE_CACHE_TIMEOUT"]
    if url.startswith("memory://"):
        config = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": app.config["PAGE_CACHE_ENTRIES"]}
    elif url.startswith(("redis://", "rediss://", "unix://")):
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url, "CACHE_KEY_PREFIX": "page:"}
    else:
        raise ValueError(f"PAGE_CACHE_URL={url!r}: use redis://…, memory:// or leave it empty")
    cache = Cache()
    cache.init_app(app, config={**config, "CACHE_DEFAULT_TIMEOUT": timeout})
    near_bytes = app.config.get("PAGE_CACHE_NEAR_BYTES") or 0
    if url.startswith("memory://") or near_bytes <= 0:
        return cache
    return _NearCache(cache, near_bytes, timeout)


def _personal() -> bool:
    """The request carries someone: a signed-in person or a flash message (the session cookie was
    already decoded by Flask; an anonymous visitor without a cookie costs nothing)."""
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return False
    return any(key in session for key in _PERSONAL_SESSION_KEYS)


def _validator_of(req: Request, cookieless: bool | None = None) -> _Validator:
    """The page's validator and cache key, from the request alone (Flask's, or the fast path's
    plain werkzeug request): the data version, the build, page or htmx fragment, the language
    (the path's prefix, else the Accept-Language the portal then reads), the content coding
    Flask-Compress will choose, and the path with its query. `cookieless`: the fast path knows
    the request has no session cookie (portal/services/data_version.py `current`)."""
    state = current_app.extensions["http_cache"]
    headers = req.headers
    variant = "fragment" if wants_fragment(headers) else "page"
    prefix = req.path.split("/", 2)[1]
    lang = prefix if prefix in current_app.config["LANGUAGES"] else "~" + headers.get("Accept-Language", "")
    encoding = _choose_algorithm(compress.enabled_algorithms, headers.get("Accept-Encoding", "")) or "identity"
    tag = f"{data_version.current(cookieless).key}.{state.build}.{variant}.{encoding}"
    path = f"{req.path}?{req.query_string.decode('latin-1')}"
    if lang.startswith("~"):  # a page without a language prefix: one copy per Accept-Language
        lang_tag = hashlib.blake2b(lang.encode(), digest_size=4).hexdigest()
        return _Validator(f"{tag}.{lang_tag}", f"{tag}.{lang_tag}:{path}", (*SHARED_VARY, "Accept-Language"))
    return _Validator(etag=f"{tag}.{lang}", cache_key=f"{tag}.{lang}:{path}", vary=SHARED_VARY)


def _validator() -> _Validator:
    return _validator_of(request)


def _cache_control() -> str:
    seconds = current_app.config.get("PAGE_SHARED_MAX_AGE") or 0
    if seconds:
        return f"public, max-age=0, s-maxage={int(seconds)}, must-revalidate"
    return "public, max-age=0, must-revalidate"


def _not_modified(validator: _Validator) -> Response:
    response = Response(status=304)
    response.set_etag(validator.etag, weak=True)
    response.headers["Cache-Control"] = _cache_control()
    response.vary.update(validator.vary)
    return response


def serve_shared() -> Response | None:
    """Ahead of every other hook: a 304 for a page the visitor has, or the stored page."""
    if request.method not in ("GET", "HEAD") or request.endpoint not in SHARED_PAGES or _personal():
        return None
    g.http_validator = validator = _validator()
    if request.if_none_match and request.if_none_match.contains_weak(validator.etag):
        g.http_cache_served = True
        return _not_modified(validator)
    cache = current_app.extensions["http_cache"].cache
    if cache is None:
        return None
    try:
        entry = cache.get(validator.cache_key)
    except Exception:  # the shared cache is unreachable: render the page, as without a cache
        log.warning("page cache unreachable: %s", current_app.config["PAGE_CACHE_URL"], exc_info=True)
        return None
    if entry is None:
        return None
    g.http_cache_served = True
    return Response(entry.body, status=entry.status, headers=entry.headers)


def _someones(response: Response) -> bool:
    """Something in the answer belongs to someone: a cookie set, the session changed (a flash
    read, a CSRF token kept), a CSRF token in a form, a signed-in person, or no-store asked."""
    return (
        "Set-Cookie" in response.headers
        or "no-store" in response.headers.get("Cache-Control", "")
        or session.modified
        or "csrf_token" in g  # Flask-WTF made a token for a form on this page
        or _personal()
    )


def mark_and_store(response: Response) -> Response:
    """The last after_request hook: validators on a shared page, and the page stored."""
    validator: _Validator | None = g.get("http_validator")
    if validator is None or g.get("http_cache_served") or response.status_code != 200:
        return response
    if _someones(response):
        response.headers.setdefault("Cache-Control", "private, no-cache")
        return response
    response.set_etag(validator.etag, weak=True)
    response.headers["Cache-Control"] = _cache_control()
    response.vary.update(validator.vary)
    cache = current_app.extensions["http_cache"].cache
    if cache is None or response.is_streamed or response.direct_passthrough:
        return response  # a streamed file (the open data) keeps its validators, and is not stored
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _NOT_STORED]
    try:
        cache.set(validator.cache_key, _Entry(response.status_code, headers, response.get_data()))
    except Exception:
        log.warning("page cache unreachable: %s", current_app.config["PAGE_CACHE_URL"], exc_info=True)
    return response


class FastPath:
    """The hit path for a visitor without a session cookie (no one signed in, no message for
    anyone), as a WSGI layer in front of Flask: the version read and one cache read, no request
    context, no session, no hooks. The stored page already carries every header the hooks added
    (it was stored by the last of them). Anything else goes on to Flask, where `serve_shared`
    answers visitors with a cookie."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        found = self._stored(environ)
        if found is None:
            return self.wsgi_app(environ, start_response)
        if isinstance(found, Response):  # a 304
            return found(environ, start_response)
        # The stored answer as it was sent the first time, headers included: nothing to build.
        start_response(_STATUS_LINES[found.status], found.headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [found.body]

    def _stored(self, environ) -> _Entry | Response | None:
        cache = self.app.extensions["http_cache"].cache
        if cache is None or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        req = Request(environ)
        if self.app.config["SESSION_COOKIE_NAME"] in req.cookies or self._endpoint(environ) not in SHARED_PAGES:
            return None  # a token page, a form, the API: Flask answers, at no cost of the version read
        with self.app.app_context():
            validator = _validator_of(req, cookieless=True)
            try:
                entry = cache.get(validator.cache_key)
            except Exception:
                log.warning("page cache unreachable: %s", self.app.config["PAGE_CACHE_URL"], exc_info=True)
                return None
            if entry is None:  # not stored yet, or not a shared page: Flask decides
                return None
            if req.if_none_match and req.if_none_match.contains_weak(validator.etag):
                return _not_modified(validator)
        return entry

    def _endpoint(self, environ) -> str | None:
        try:
            endpoint, _ = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:  # not found, wrong method, a redirect: Flask answers it
            return None
        return endpoint


_STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


@dataclass
class _State:
    build: str
    cache: Cache | _NearCache | None


def init_app(app: Flask) -> None:
    """Call before any other extension registers its hooks: the stored page is served ahead of
    them, and it is stored after every other after_request hook (compression included) has run."""
    build = app.config.get("PORTAL_BUILD") or build_id(Path(app.root_path))
    app.extensions["http_cache"] = _State(build=build, cache=_page_cache(app))
    app.wsgi_app = FastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    app.before_request(serve_shared)
    app.after_request(mark_and_store)
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    compress.init_app(app)  # its after_request runs before `mark_and_store` (registered later)
