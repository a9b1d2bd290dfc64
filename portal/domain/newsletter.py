"""The programme's newsletter: who may receive it, how the double opt-in paces its e-mails, how
long a subscription is kept, how an issue goes out.

Only people who asked receive it — the box in the footer, or a separate unticked box on the
course registration, the pledge and the follow forms — and only once they confirmed their address
(double opt-in). Every issue carries a one-click unsubscribe. An issue is written in Italian and
English, sent once, to each subscriber in their language, queued in batches.
Pure rules: "now" is always a parameter.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from portal.domain import DomainError

# The confirmation e-mail again, for someone who asks again before confirming: at most hourly, so a
# form typed with someone else's address never floods their mailbox.
CONFIRMATION_MAIL_EVERY = timedelta(hours=1)
# A subscription never confirmed is deleted after this long (`flask forget-newsletter`).
UNCONFIRMED_KEPT = timedelta(days=7)
# An unsubscribed address is kept this long — its one-click link still answers "done", staff see
# who left — then deleted (`flask forget-newsletter`).
UNSUBSCRIBED_KEPT = timedelta(days=30)
# How many e-mails an issue queues in one INSERT (NEWSLETTER_BATCH_SIZE in the configuration).
DEFAULT_BATCH_SIZE = 500
# An issue's subject, as the e-mail's Subject header (and the column) holds it.
SUBJECT_MAX = 200
BODY_MAX = 20_000
LANGUAGES = ("it", "en")


class Source(StrEnum):
    """Where someone asked for the newsletter: each an explicit request of its own."""

    FOOTER = "footer"  # the box in every page's footer, or the newsletter page
    REGISTRATION = "registration"  # the unticked box of the course registration form
    PLEDGE = "pledge"  # the unticked box of the pledge form
    FOLLOW = "follow"  # the unticked box of a campaign's follow form


class IssueError(StrEnum):
    ALREADY_SENT = "already_sent"  # an issue goes out once
    EMPTY = "empty"  # a subject or a body is missing, in one of the languages
    TOO_LONG = "too_long"  # a subject over SUBJECT_MAX, or a body over BODY_MAX characters


def valid_source(source: str) -> bool:
    """Whether `source` names one of the places where the newsletter may be asked for."""
    return source in Source._value2member_map_


def normalise_email(email: str) -> str:
    """One subscription per address, however it is typed."""
    return (email or "").strip().lower()


def subscriber_lang(lang: str) -> str:
    """The language an issue is written in for someone who subscribed while reading `lang`."""
    return lang if lang in LANGUAGES else LANGUAGES[0]


def may_send_confirmation(confirmation_mail_at: datetime | None, now: datetime) -> bool:
    """Whether the confirmation e-mail may go out (again) now: at most once per CONFIRMATION_MAIL_EVERY."""
    return confirmation_mail_at is None or now - confirmation_mail_at >= CONFIRMATION_MAIL_EVERY


def forgotten(
    created_at: datetime, confirmed_at: datetime | None, unsubscribed_at: datetime | None, now: datetime
) -> bool:
    """Whether a subscription is deleted now: never confirmed within UNCONFIRMED_KEPT, or
    unsubscribed over UNSUBSCRIBED_KEPT ago."""
    if unsubscribed_at is not None:
        return now - unsubscribed_at >= UNSUBSCRIBED_KEPT
    return confirmed_at is None and now - created_at >= UNCONFIRMED_KEPT


def batch_size(configured: int | None) -> int:
    """The number of e-mails queued per INSERT: the configured one, at least 1."""
    return max(1, configured) if configured else DEFAULT_BATCH_SIZE


def check_issue(subjects: dict[str, str], bodies: dict[str, str]) -> None:
    """An issue has a subject and a body in every language, within the limits; refused with
    ``DomainError(IssueError.EMPTY | TOO_LONG, lang=…)`` naming the first language at fault."""
    for lang in LANGUAGES:
        subject, body = (subjects.get(lang) or "").strip(), (bodies.get(lang) or "").strip()
        if not subject or not body:
            raise DomainError(IssueError.EMPTY, lang=lang)
        if len(subject) > SUBJECT_MAX or len(body) > BODY_MAX:
            raise DomainError(IssueError.TOO_LONG, lang=lang)


def may_send(sent_at: datetime | None) -> bool:
    """An issue goes out once."""
    return sent_at is None
