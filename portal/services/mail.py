"""E-mail through an outbox: queued with the change it announces, delivered by `flask send-mail`.

Every e-mail the portal writes goes through `send`: a template of `templates/mail/` and its
subject, rendered in the recipient's language, queued in the same transaction as its cause.

Backends: "smtp" (production, tests against a real SMTP server on loopback) and "file"
(the demo: each message is an .eml file in MAIL_DIR that a person can open).
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel.speaklater import LazyString

from portal.extensions import db
from portal.models import OutboxMessage
from portal.services.transaction import own_transaction

MAX_ATTEMPTS = 10


def send(
    template: str,
    *,
    to: str,
    lang: str,
    subject: str | LazyString,
    now: datetime,
    attachments: list[dict[str, str]] | None = None,
    subject_args: Mapping[str, object] | None = None,
    headers: Mapping[str, str] | None = None,
    **context: object,
) -> None:
    """Render `templates/mail/<template>.txt` and the subject in `lang` and queue the message.

    `subject` is a lazy string (`lazy_gettext`), translated here; its ``%(name)s`` placeholders are
    filled from `subject_args`, whose values may be lazy too (an amount formatted for `lang`).
    The template gets `lang` and `context`. `headers` are added to the message as they are
    (e.g. List-Unsubscribe).
    """
    title, body = render(template, lang=lang, subject=subject, subject_args=subject_args, **context)
    queue(to, title, body, now, attachments, headers=headers)


def render(
    template: str,
    *,
    lang: str,
    subject: str | LazyString,
    subject_args: Mapping[str, object] | None = None,
    **context: object,
) -> tuple[str, str]:
    """The subject and body `send` would queue, for a caller that queues one text to many
    (`queue_many`)."""
    with force_locale(lang):
        body = render_template(f"mail/{template}.txt", lang=lang, **context)
        title = str(subject) % subject_args if subject_args else str(subject)
    return title, body


def queue(
    to: str,
    subject: str,
    body: str,
    now: datetime,
    attachments: list[dict[str, str]] | None = None,
    *,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Add a message to the outbox; the caller's commit makes it real, together with its cause."""
    db.session.add(
        OutboxMessage(
            to=to,
            subject=subject,
            body=body,
            attachments=attachments or [],
            headers=dict(headers or {}),
            created_at=now,
        )
    )


def queue_many(messages: list[dict[str, object]], now: datetime) -> None:
    """Add many messages at once (one INSERT of many rows), each a dict of `to`, `subject`, `body`
    and optionally `headers`; committed with their cause, as `queue`."""
    if messages:
        rows = [{"attachments": [], "headers": {}, "attempts": 0, **message, "created_at": now} for message in messages]
        db.session.execute(sa.insert(OutboxMessage), rows)


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058, for every e-mail someone may stop receiving (a campaign's news, the
    newsletter): the mail client's own "unsubscribe" posts to `url` in one click."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def build(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain=config["MAIL_DOMAIN"])
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body)
    for part in message.attachments:
        maintype, subtype = part["content_type"].split("/", 1)
        email.add_attachment(part["content"].encode(), maintype=maintype, subtype=subtype, filename=part["filename"])
    return email


def _send(email: EmailMessage) -> None:
    config = current_app.config
    if config["MAIL_BACKEND"] == "file":
        folder = Path(config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = email["Message-ID"].strip("<>").replace("@", "_at_")
        (folder / f"{name}.eml").write_bytes(bytes(email))
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def deliver_pending(now: datetime, limit: int = 200) -> tuple[int, int]:
    """Send what waits in the outbox. Returns (sent, failed); failures stay queued for next time.

    Rows are locked (skipped if another worker holds them) so two runs at once never send the
    same message.
    """
    ids = db.session.scalars(
        db.select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for message_id in ids:
        # A batch, one transaction per message: a message sent is recorded as sent at once, so it
        # is never sent twice, and one bad address does not hold back (or undo) the others.
        with own_transaction():
            outcome = _deliver(message_id, now)
        sent, failed = sent + (outcome is True), failed + (outcome is False)
    return sent, failed


def _deliver(message_id: int, now: datetime) -> bool | None:
    """Send one message: True when sent, False when it failed (kept for the next run), None when
    another worker has it or sent it meanwhile."""
    message = db.session.execute(
        db.select(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    if message is None:
        return None
    message.attempts += 1
    try:
        _send(build(message))
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = str(exc)[:500]
        return False
    message.sent_at = now
    return True


def deliver_now_if_immediate(now: datetime) -> None:
    """The demo delivers at once (to files), so a person reads the e-mail right after acting;
    production leaves delivery to `flask send-mail`, off the request path."""
    if current_app.config.get("MAIL_DELIVER_IMMEDIATELY"):
        deliver_pending(now)
