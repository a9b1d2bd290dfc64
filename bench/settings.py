"""The environment the benchmark runs the portal in. Imports nothing of the portal: config.py reads
the environment when it is imported, so this is set first."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def production_env(database_url: str, work: Path) -> dict[str, str]:
    """The settings production would run with (config.py `ProdConfig`): real clock, secure cookies,
    an HTTPS site address, bank transfers only (no card provider to reach), shared rate limits."""
    return {
        **os.environ,
        "PORTAL_ENV": "production",
        "PORTAL_NOW": "",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": database_url,
        "PAYMENT_PROVIDER": "none",
        "SITE_URL": "https://crowdfunding-civico.comune.milano.example",
        "SESSION_COOKIE_SECURE": "1",
        "MAIL_BACKEND": "file",
        "MAIL_DIR": str(work / "mail"),
        "UPLOAD_DIR": str(work / "uploads"),
        "KEPT_FILES_DIR": str(work / "kept-files"),
        "PAGE_CACHE_URL": "",
        "BENCH_QUERY_LOG": str(work / "queries.log"),
    }
