"""Attachments of a draft application: added and removed together with their file."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from portal.domain import DomainError
from portal.domain.application import MAX_ATTACHMENTS
from portal.extensions import db
from portal.models import Application, Attachment
from portal.services import transaction, uploads
from portal.services.applications.applications import check_editable


class AttachmentError(StrEnum):
    TOO_MANY = "too_many"  # MAX_ATTACHMENTS already


@transaction.transactional
def add(application: Application, filename: str | None, content: bytes, now: datetime) -> Attachment:
    """Check the PDF and store it with its record, both or neither; the uploaded name is only shown."""
    _lock(application)
    check_editable(application, now)
    count = db.session.scalar(db.select(db.func.count(Attachment.id)).filter_by(application_id=application.id))
    if count >= MAX_ATTACHMENTS:
        raise DomainError(AttachmentError.TOO_MANY, limit=MAX_ATTACHMENTS)
    stored = uploads.store(content)  # checks it is a real PDF within the size limit
    transaction.on_rollback(lambda: uploads.remove(stored.key))  # no file without its record
    attachment = Attachment(
        filename=uploads.display_name(filename),
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
    _lock(application)
    check_editable(application, now)
    key = attachment.storage_key
    application.attachments.remove(attachment)
    application.updated_at = now
    transaction.on_commit(lambda: uploads.remove(key))  # the file goes once its record has gone


def _lock(application: Application) -> None:
    """The application's row locked until the commit and read afresh: two uploads at once never
    pass the limit, and no attachment changes while the application is being submitted (which
    locks the same row)."""
    db.session.execute(db.select(Application.id).filter_by(id=application.id).with_for_update())
    db.session.refresh(application)
