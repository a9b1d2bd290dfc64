"""Attachments of a draft application: added and removed together with their file."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from portal.domain import DomainError
from portal.domain.application import MAX_ATTACHMENTS
from portal.models import Application, Attachment
from portal.services import transaction, uploads
from portal.services.applications.applications import check_editable


class AttachmentError(StrEnum):
    TOO_MANY = "too_many"  # MAX_ATTACHMENTS already


def display_name(filename: str) -> str:
    """The uploaded name, kept for people to recognise; never used as a path."""
    name = re.sub(r"[\x00-\x1f\x7f/\\]+", "_", (filename or "").strip())[:190]
    if not name.lower().endswith(".pdf"):
        name = (name or "documento") + ".pdf"
    return name


@transaction.transactional
def add(application: Application, filename: str, content: bytes, now: datetime) -> Attachment:
    check_editable(application, now)
    if len(application.attachments) >= MAX_ATTACHMENTS:
        raise DomainError(AttachmentError.TOO_MANY, limit=MAX_ATTACHMENTS)
    stored = uploads.store(content)  # checks it is a real PDF within the size limit
    transaction.on_rollback(lambda: uploads.remove(stored.key))  # no file without its record
    attachment = Attachment(
        filename=display_name(filename),
        storage_key=stored.key,
        size_bytes=stored.size,
        sha256=stored.sha256,
        uploaded_at=now,
    )
    application.attachments.append(attachment)
    application.updated_at = now
    return attachment


@transaction.transactional
def remove(application: Application, attachment: Attachment, now: datetime) -> None:
    check_editable(application, now)
    key = attachment.storage_key
    application.attachments.remove(attachment)
    application.updated_at = now
    transaction.on_commit(lambda: uploads.remove(key))  # the file goes once its record has gone
