"""Addresses that work outside the site: in e-mails, calendar files, feeds, open data, social cards;
and the local paths a `next` parameter may name."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

MAX_LOCAL_PATH = 2000


def absolute_url(endpoint: str, **values) -> str:
    """The full address of `endpoint` (with `values`), on the host and path of SITE_URL,
    whatever the host of the request that asks (if any)."""
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(site.netloc, url_scheme=site.scheme, script_name=site.path or "/")
    return adapter.build(endpoint, values, force_external=True)


def local_path(target: str | None) -> str | None:
    """A path on this site only (for a `next` carried through a form or a link): never an address
    that would send people elsewhere."""
    if not target or not isinstance(target, str) or len(target) > MAX_LOCAL_PATH:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(char) < 32 or char == "\\" for char in target):
        return None
    return target
