"""Attachments of a draft application: added and removed together with their file."""

from __future__ import annotations

import re
from datetime import datetime

from portal.domain import DomainError
from portal.domain.application import MAX_ATTACHMENTS
from portal.extensions import db
from portal.models import Application, Attachment
from portal.services import uploads
from portal.services.applications.applications import check_editable


def display_name(filename: str) -> str:
    """The uploaded name, kept for people to recognise; never used as a path."""
    name = re.sub(r"[\x00-\x1f\x7f/\\]+", "_", (filename or "").strip())[:190]
    if not name.lower().endswith(".pdf"):
        name = (name or "documento") + ".pdf"
    return name


def add(application: Application, filename: str, content: bytes, now: datetime) -> Attachment:
    check_editable(application, now)
    if len(application.attachments) >= MAX_ATTACHMENTS:
        raise DomainError("too_many", limit=MAX_ATTACHMENTS)
    stored = uploads.store(content)  # checks it is a real PDF within the size limit
    attachment = Attachment(
        filename=display_name(filename),
        storage_key=stored.key,
        size_bytes=stored.size,
        sha256=stored.sha256,
        uploaded_at=now,
    )
    application.attachments.append(attachment)
    application.updated_at = now
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        uploads.remove(stored.key)  # no file without its record
        raise
    return attachment


def remove(application: Application, attachment: Attachment, now: datetime) -> None:
    check_editable(application, now)
    key = attachment.storage_key
    application.attachments.remove(attachment)
    application.updated_at = now
    db.session.commit()
    uploads.remove(key)
