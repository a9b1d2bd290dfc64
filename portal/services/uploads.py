"""Applicants' PDF attachments: checked by their content, stored outside static/ under a random name.

Files live in UPLOAD_DIR (a shared volume or object-storage mount when several app servers run);
the database keeps the name people gave the file, its size and its SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from flask import current_app
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from portal.domain import DomainError
from portal.domain.application import MAX_ATTACHMENT_BYTES


class UploadError(StrEnum):
    EMPTY_FILE = "empty_file"
    TOO_LARGE = "too_large"
    NOT_PDF = "not_pdf"  # not a PDF, encrypted, or unreadable


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_pdf(content: bytes) -> None:
    """A real, readable PDF within the size limit, whatever the file is called."""
    if not content:
        raise DomainError(UploadError.EMPTY_FILE)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise DomainError(UploadError.TOO_LARGE, limit_mb=MAX_ATTACHMENT_BYTES // (1024 * 1024))
    if not content.lstrip()[:5] == b"%PDF-":
        raise DomainError(UploadError.NOT_PDF)
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted or len(reader.pages) < 1:
            raise DomainError(UploadError.NOT_PDF)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise DomainError(UploadError.NOT_PDF) from error


def store(content: bytes) -> StoredFile:
    check_pdf(content)
    key = secrets.token_hex(16)
    (folder() / key).write_bytes(content)
    return StoredFile(key=key, size=len(content), sha256=hashlib.sha256(content).hexdigest())


def path_of(key: str) -> Path:
    return folder() / key


def remove(key: str) -> None:
    path_of(key).unlink(missing_ok=True)
