"""Addresses that work outside the site: in e-mails, calendar files, feeds, open data, social cards."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    """The full address of `endpoint` (with `values`), on the host and path of SITE_URL,
    whatever the host of the request that asks (if any)."""
    site = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(site.netloc, url_scheme=site.scheme, script_name=site.path or "/")
    return adapter.build(endpoint, values, force_external=True)
