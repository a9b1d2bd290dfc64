"""Uploaded files: checked by their content, stored outside static/ under a random name.

Applicants' PDF attachments live in UPLOAD_DIR (a shared volume or object-storage mount when
several app servers run); the database keeps the name people gave the file (cleaned by
`display_name`, only ever shown, never used as a path), its size and its SHA-256.

A PDF is accepted only when pypdf reads it through (every object of its cross-reference table)
and it holds nothing that runs or opens by itself: JavaScript, actions on opening or on events
(`/OpenAction` other than going to a page, `/AA`), launch/submit/import actions, embedded or
attached files, rich media, XFA forms. Such a file is refused with a message saying how to make
a plain copy (print it to PDF), rather than "cleaned": a refused file cannot harm the staff who
open the attachments, while a neutraliser that misses one spelling of an action would.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app

from portal.domain import DomainError
from portal.domain.application import MAX_ATTACHMENT_BYTES

if TYPE_CHECKING:
    from pypdf import PdfReader
    from pypdf.generic import PdfObject


class UploadError(StrEnum):
    NO_FILE = "no_file"  # the form came without a file
    SEVERAL_FILES = "several_files"  # more than one file in one request
    EMPTY_FILE = "empty_file"
    TOO_LARGE = "too_large"
    NOT_PDF = "not_pdf"  # not a PDF at all, whatever its name says
    DAMAGED = "damaged"  # begins as a PDF but cannot be read through: truncated, malformed, no pages
    ENCRYPTED = "encrypted"  # protected by a password (even an empty one)
    ACTIVE_CONTENT = "active_content"  # JavaScript, automatic actions, embedded files, XFA, rich media


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    sha256: str


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- the name people see ---------------------------------------------------------------

MAX_NAME_CHARS = 120
# Names Windows keeps for devices, whatever the extension ("CON.pdf" cannot be saved there).
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"{port}{n}" for port in ("COM", "LPT") for n in range(10))})
_NOT_IN_NAMES = re.compile(r'[<>:"|?*]')  # not allowed in a Windows file name


def display_name(filename: str | None, *, suffix: str = ".pdf", fallback: str = "documento") -> str:
    """The uploaded file's name made safe to show and to offer as a download name.

    Only the last part of a path is kept ("../../etc/passwd.pdf" is "passwd.pdf"); compatibility
    forms are folded (full-width "ｓｔａｔｕｔｏ．ｐｄｆ" is "statuto.pdf"); control and invisible
    format characters go, among them NUL and the right-to-left override (U+202E) that shows the
    text after it backwards, so that a name seems to end in ".pdf" when it does not; no leading or
    trailing dots or spaces, no Windows device names ("CON.pdf" is "CON_.pdf"), at most
    `MAX_NAME_CHARS` characters, always ending in `suffix`.
    """
    # Invisible characters go before and after folding: none may join two visible ones into one.
    name = unicodedata.normalize("NFKC", "".join(map(_visible, filename or "")))
    name = "".join(map(_visible, re.split(r"[/\\]", name)[-1]))
    name = re.sub(r" {2,}", " ", _NOT_IN_NAMES.sub("_", name))
    base = name[: -len(suffix)] if name.lower().endswith(suffix) else name
    base = base.strip(" .")[: MAX_NAME_CHARS - len(suffix)].rstrip(" .") or fallback
    first, dot, rest = base.partition(".")
    if first.strip().upper() in _RESERVED:
        base = f"{first}_{dot}{rest}"
    return base + suffix


def _visible(char: str) -> str:
    """The character as shown in a name: any space becomes a plain one; control, format (bidi
    overrides, zero-width), private-use, unassigned characters and line separators disappear."""
    category = unicodedata.category(char)
    if category == "Zs":
        return " "
    return "" if category[0] in "CZ" else char


# --- PDFs ------------------------------------------------------------------------------

# Keys and names that make a PDF do something by itself or carry another file.
_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/RichMedia", "/XFA"})
_ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/GoToR",
        "/EmbeddedFile",
        "/FileAttachment",
        "/RichMedia",
    }
)


def check_pdf(content: bytes) -> None:
    """A real PDF within the size limit, readable through, not encrypted, with no active content,
    whatever the file is called; `DomainError(UploadError...)` otherwise."""
    if not content:
        raise DomainError(UploadError.EMPTY_FILE)
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise DomainError(UploadError.TOO_LARGE, limit_mb=MAX_ATTACHMENT_BYTES // (1024 * 1024))
    if content.lstrip()[:5] != b"%PDF-":
        raise DomainError(UploadError.NOT_PDF)
    problem = _inspect(content)
    if problem is not None:
        raise DomainError(problem)


def _inspect(content: bytes) -> UploadError | None:
    # pypdf (with Pillow and fontTools) costs every worker ~10 MB: loaded by the first upload.
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return UploadError.ENCRYPTED
        if len(reader.pages) < 1:
            return UploadError.DAMAGED
        active = any(_is_active(item) for item in _objects(reader))
    # The file is untrusted input to a third-party parser: whatever it raises (pypdf's own errors,
    # but also ValueError, KeyError, RecursionError... on crafted files) means it cannot be vouched for.
    except Exception:  # noqa: BLE001
        return UploadError.DAMAGED
    return UploadError.ACTIVE_CONTENT if active else None


def _objects(reader: PdfReader) -> Iterator[PdfObject | None]:
    """The trailer and every object the cross-reference tables list, object streams included:
    what a viewer can reach, whether or not the page tree points at it."""
    from pypdf.generic import IndirectObject

    yield reader.trailer
    for generation, table in reader.xref.items():
        for number in table:
            yield reader.get_object(IndirectObject(number, generation, reader))
    for number in reader.xref_objStm:
        yield reader.get_object(IndirectObject(number, 0, reader))


def _is_active(root: PdfObject | None) -> bool:
    """Whether an object, with the dictionaries and arrays written inside it, holds active content.
    References are not followed: every indirect object is checked on its own."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    pending = [root]
    while pending:
        item = pending.pop()
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in _ACTIVE_KEYS or (key == "/OpenAction" and not _goes_to_a_page(value)):
                    return True
                pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(item)
        elif isinstance(item, NameObject) and item in _ACTIVE_NAMES:
            return True
    return False


def _goes_to_a_page(action: PdfObject) -> bool:
    """An opening action that only shows a page (a destination, or a GoTo action) is harmless;
    word processors write one. A GoTo's `/Next` actions are checked with their own object."""
    from pypdf.generic import ArrayObject, DictionaryObject

    action = action.get_object()
    if isinstance(action, ArrayObject):
        return True
    return isinstance(action, DictionaryObject) and action.get("/S") == "/GoTo"


# --- storage ---------------------------------------------------------------------------


def store(content: bytes) -> StoredFile:
    """Check the PDF and keep it under a random name; the name it was uploaded with plays no part."""
    check_pdf(content)
    key = secrets.token_hex(16)
    write_whole(folder() / key, content)
    return StoredFile(key=key, size=len(content), sha256=hashlib.sha256(content).hexdigest())


def write_whole(path: Path, content: bytes) -> None:
    """Write the file whole or not at all (a full disk leaves no half file under its name)."""
    partial = path.with_name(f"{path.name}.part")
    try:
        partial.write_bytes(content)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def path_of(key: str) -> Path:
    return folder() / key


def remove(key: str) -> None:
    path_of(key).unlink(missing_ok=True)
