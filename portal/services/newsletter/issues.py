"""The newsletter's issues: staff write one in Italian and English, see it as readers will, and
send it once — queued in the outbox for every subscriber who receives the newsletter, each in
their language, with their own one-click unsubscribe (List-Unsubscribe, List-Unsubscribe-Post and
the link in the body). `flask send-mail` delivers them.

Sending reads the subscribers by id, NEWSLETTER_BATCH_SIZE at a time (a keyset: memory stays the
same whatever their number), and queues each batch in one INSERT, all within the one transaction
that marks the issue sent: the issue goes to everyone, or, on any failure, to nobody.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from portal.domain import DomainError
from portal.domain.newsletter import LANGUAGES, IssueError, batch_size, check_issue, may_send
from portal.extensions import db
from portal.models import NewsletterIssue, NewsletterSubscriber, User
from portal.services import audit, mail
from portal.services.newsletter.newsletter_mail import IssueText
from portal.services.transaction import transactional

# What a preview shows where each reader's own link token will be.
PREVIEW_TOKEN = "…"


@transactional
def write_issue(subjects: dict[str, str], bodies: dict[str, str], author: User, now: datetime) -> NewsletterIssue:
    """A new issue, not sent yet; refused with ``DomainError(IssueError…)`` without a subject and a
    body in both languages (`portal.domain.newsletter.check_issue`)."""
    check_issue(subjects, bodies)
    issue = NewsletterIssue(
        subject_it=subjects["it"].strip(),
        subject_en=subjects["en"].strip(),
        body_it=bodies["it"].strip(),
        body_en=bodies["en"].strip(),
        author_id=author.id,
        created_at=now,
    )
    db.session.add(issue)
    db.session.flush()
    return issue


def issues() -> list[NewsletterIssue]:
    """Every issue, the newest first."""
    return list(db.session.scalars(sa.select(NewsletterIssue).order_by(NewsletterIssue.id.desc())))


def issue_or_none(issue_id: int) -> NewsletterIssue | None:
    return db.session.get(NewsletterIssue, issue_id)


def preview(issue: NewsletterIssue, lang: str) -> tuple[str, str]:
    """The subject and body a reader in `lang` gets, with "…" for their own link."""
    text = IssueText(issue, lang)
    return text.subject, text.body.replace(text.mark, PREVIEW_TOKEN)


def _receiving():
    return sa.and_(NewsletterSubscriber.confirmed_at.is_not(None), NewsletterSubscriber.unsubscribed_at.is_(None))


def recipients() -> int:
    """How many people an issue sent now would reach."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(NewsletterSubscriber).where(_receiving()))


@transactional
def send_issue(issue_id: int, actor: User, now: datetime) -> int:
    """Queue the issue for every subscriber who receives the newsletter, in batches; once only
    (refused with ``DomainError(IssueError.ALREADY_SENT)``, also for a second click at the same
    moment: the issue's row is locked). Audited. The number of e-mails queued."""
    issue = db.session.execute(
        sa.select(NewsletterIssue).filter_by(id=issue_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    if not may_send(issue.sent_at):
        raise DomainError(IssueError.ALREADY_SENT)
    size = batch_size(current_app.config.get("NEWSLETTER_BATCH_SIZE"))
    texts = {lang: IssueText(issue, lang) for lang in LANGUAGES}  # each language rendered once
    queued, after = 0, 0
    while True:
        batch = db.session.execute(
            sa.select(
                NewsletterSubscriber.id,
                NewsletterSubscriber.email,
                NewsletterSubscriber.token,
                NewsletterSubscriber.lang,
            )
            .where(_receiving(), NewsletterSubscriber.id > after)
            .order_by(NewsletterSubscriber.id)
            .limit(size)
        ).all()
        mail.queue_many([texts.get(lang, texts["it"]).for_reader(email, token) for _, email, token, lang in batch], now)
        queued += len(batch)
        if len(batch) < size:
            break
        after = batch[-1].id
    issue.sent_at, issue.recipients = now, queued
    audit.record(
        actor,
        "newsletter.send",
        "newsletter_issue",
        issue.id,
        now,
        label=issue.subject_it,
        changes={"recipients": [None, queued]},
    )
    return queued
