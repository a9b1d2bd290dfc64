"""E-mail through an outbox: queued with the change it announces, delivered by `flask send-mail`.

Backends: "smtp" (production, tests against a real SMTP server on loopback) and "file"
(the demo: each message is an .eml file in MAIL_DIR that a person can open).
"""

from __future__ import annotations

import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from flask import current_app

from portal.extensions import db
from portal.models import OutboxMessage

MAX_ATTEMPTS = 10


def queue(to: str, subject: str, body: str, now: datetime, attachments: list[dict[str, str]] | None = None) -> None:
    """Add a message to the outbox; the caller's commit makes it real, together with its cause."""
    db.session.add(OutboxMessage(to=to, subject=subject, body=body, attachments=attachments or [], created_at=now))


def build(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain=config["MAIL_DOMAIN"])
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

    Each message is committed on its own: one bad address must not hold back the others,
    and a message sent is never sent twice. Rows are locked (skipped if another worker
    holds them) so two runs at once never send the same message.
    """
    ids = db.session.scalars(
        db.select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    sent = failed = 0
    for message_id in ids:
        message = db.session.execute(
            db.select(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
            .with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if message is None:
            db.session.rollback()
            continue
        try:
            _send(build(message))
        except (OSError, smtplib.SMTPException) as exc:
            message.attempts += 1
            message.last_error = str(exc)[:500]
            failed += 1
        else:
            message.attempts += 1
            message.sent_at = now
            sent += 1
        db.session.commit()
    return sent, failed


def deliver_now_if_immediate(now: datetime) -> None:
    """The demo delivers at once (to files), so a person reads the e-mail right after acting;
    production leaves delivery to `flask send-mail`, off the request path."""
    if current_app.config.get("MAIL_DELIVER_IMMEDIATELY"):
        deliver_pending(now)
