"""What a comment on a campaign's draft may be: plain text, not empty, at most `BODY_MAX` characters."""

from __future__ import annotations

import re
from enum import StrEnum

from portal.domain import DomainError

BODY_MAX = 4000  # characters

# Control characters (NUL above all) never reach the database; new lines and tabs stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CommentError(StrEnum):
    EMPTY = "comment_empty"
    TOO_LONG = "comment_too_long"
    NOT_ALLOWED = "comment_not_allowed"  # neither the campaign's coach, nor staff, nor its team


def comment_body(text: str | None) -> str:
    """The text as stored (control characters out, line ends made plain, spaces around trimmed),
    or a refusal: empty, or longer than `BODY_MAX` (with `length` and `limit`)."""
    body = _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not body:
        raise DomainError(CommentError.EMPTY)
    if len(body) > BODY_MAX:
        raise DomainError(CommentError.TOO_LONG, limit=BODY_MAX, length=len(body))
    return body
