"""The official documents of an edition: the call as PDF, its FAQ, annexes, the published ranking.

Staff upload them through the same checks as the applicants' attachments (`services/uploads.py`:
a real PDF, read through, nothing active, within the size limit); the file is kept in UPLOAD_DIR
under a random key and the name it was uploaded with is only ever shown or offered as a download
name. The call page lists them kind by kind (`DocumentKind`'s order), then by position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from flask_babel import format_decimal

from portal.domain import DomainError
from portal.extensions import db
from portal.models import DocumentKind, Edition, EditionDocument, User
from portal.services import audit, transaction, uploads

MAX_DOCUMENTS = 30  # per edition: a call, its FAQ, a few annexes, the ranking
KIND_ORDER = {kind: index for index, kind in enumerate(DocumentKind)}


class DocumentError(StrEnum):
    TOO_MANY = "too_many"  # MAX_DOCUMENTS already
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class DocumentSettings:
    kind: DocumentKind
    title_it: str
    title_en: str
    position: int | None  # None: after the others of its kind


def documents_of(edition: Edition) -> list[EditionDocument]:
    """Every document of the edition, kind by kind, then by position: what staff manage."""
    rows = db.session.scalars(db.select(EditionDocument).filter_by(edition_id=edition.id)).all()
    return sorted(rows, key=lambda d: (KIND_ORDER[d.kind], d.position, d.id))


def is_listed(document: EditionDocument, edition: Edition, now: datetime) -> bool:
    """Whether the public may see a document at `now`: its edition is published and, for the
    ranking, the ranking has been published too (staff may upload its PDF beforehand)."""
    if not edition.is_published:
        return False
    return document.kind is not DocumentKind.RANKING or edition.ranking_is_public(now)


def listed(edition: Edition, now: datetime) -> list[EditionDocument]:
    """The documents the call page lists at `now`."""
    return [d for d in documents_of(edition) if is_listed(d, edition, now)]


def document_of(edition: Edition, document_id: int) -> EditionDocument | None:
    document = db.session.get(EditionDocument, document_id)
    return document if document is not None and document.edition_id == edition.id else None


def size_label(size_bytes: int) -> str:
    """ "245 KB", "1,2 MB" (it) / "1.2 MB" (en): a file's size in the page's language."""
    if size_bytes < 1024 * 1024:
        return f"{format_decimal(max(1, -(-size_bytes // 1024)))} KB"
    return f"{format_decimal(round(size_bytes / (1024 * 1024), 1), format='#,##0.0')} MB"


def format_label(document: EditionDocument) -> str:
    """The file's format as people name it; every document is a PDF (uploads accept nothing else)."""
    return "PDF" if document.content_type == "application/pdf" else document.content_type


@transaction.transactional
def add(
    edition: Edition,
    settings: DocumentSettings,
    filename: str | None,
    content: bytes,
    actor: User,
    now: datetime,
) -> EditionDocument:
    """Check the PDF and store it with its record, both or neither; recorded in the audit log."""
    db.session.execute(db.select(Edition.id).filter_by(id=edition.id).with_for_update())
    count = db.session.scalar(db.select(db.func.count(EditionDocument.id)).filter_by(edition_id=edition.id))
    if count >= MAX_DOCUMENTS:
        raise DomainError(DocumentError.TOO_MANY, limit=MAX_DOCUMENTS)
    stored = uploads.store(content)  # raises DomainError(UploadError...) for anything but a plain PDF
    transaction.on_rollback(lambda: uploads.remove(stored.key))  # no file without its record
    document = EditionDocument(
        edition_id=edition.id,
        kind=settings.kind,
        position=_position(edition, settings),
        title_it=settings.title_it,
        title_en=settings.title_en,
        filename=uploads.display_name(filename),
        storage_key=stored.key,
        content_type="application/pdf",
        size_bytes=stored.size,
        sha256=stored.sha256,
        uploaded_at=now,
        uploaded_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    audit.record(
        actor,
        "edition.document_add",
        "edition",
        edition.id,
        now,
        label=f"{edition.year}: {document.title_it}",
        changes={"document": [None, f"{document.kind.value}: {document.filename} ({document.size_bytes} B)"]},
    )
    return document


def _position(edition: Edition, settings: DocumentSettings) -> int:
    if settings.position is not None:
        return settings.position
    last = db.session.scalar(
        db.select(db.func.max(EditionDocument.position)).filter_by(edition_id=edition.id, kind=settings.kind)
    )
    return 1 if last is None else last + 1


@transaction.transactional
def move(edition: Edition, document_id: int, position: int, actor: User, now: datetime) -> None:
    document = document_of(edition, document_id)
    if document is None:
        raise DomainError(DocumentError.NOT_FOUND)
    before = document.position
    document.position = position
    audit.record(
        actor,
        "edition.document_move",
        "edition",
        edition.id,
        now,
        label=f"{edition.year}: {document.title_it}",
        changes={"position": [before, position]},
    )


@transaction.transactional
def remove(edition: Edition, document_id: int, actor: User, now: datetime) -> None:
    """The record goes, and its file once the removal is committed."""
    document = document_of(edition, document_id)
    if document is None:
        raise DomainError(DocumentError.NOT_FOUND)
    key = document.storage_key
    audit.record(
        actor,
        "edition.document_remove",
        "edition",
        edition.id,
        now,
        label=f"{edition.year}: {document.title_it}",
        changes={"document": [f"{document.kind.value}: {document.filename}", None]},
    )
    db.session.delete(document)
    transaction.on_commit(lambda: uploads.remove(key))
