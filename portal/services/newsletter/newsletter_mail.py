"""What the newsletter's readers get: the confirmation e-mail (double opt-in) and an issue, each in
the reader's language; `subscriptions.py` and `issues.py` decide who gets what, and when."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.domain.newsletter import subscriber_lang
from portal.models import NewsletterIssue, NewsletterSubscriber
from portal.services import mail
from portal.urls import absolute_url

CONFIRMATION_SUBJECT = _l("Conferma: vuoi ricevere la newsletter del Crowdfunding Civico?")


def queue_confirmation(subscriber: NewsletterSubscriber, now: datetime) -> None:
    """The link to confirm, and how to ignore it. No List-Unsubscribe: there is nothing to leave yet."""
    mail.send(
        "newsletter_confirm",
        to=subscriber.email,
        lang=subscriber.lang,
        subject=CONFIRMATION_SUBJECT,
        now=now,
        confirm_url=absolute_url("pages.newsletter_confirm", lang=subscriber.lang, token=subscriber.token),
    )


class IssueText:
    """An issue rendered once per language, with a mark standing for each reader's token; `for_reader`
    puts the reader's own unsubscribe link in the body and in the List-Unsubscribe header."""

    def __init__(self, issue: NewsletterIssue, lang: str, mark: str | None = None) -> None:
        self.mark = mark or secrets.token_hex(16)
        self.unsubscribe_url = absolute_url("pages.newsletter_unsubscribe", lang=lang, token=self.mark)
        self.subject, self.body = mail.render(
            "newsletter_issue",
            lang=lang,
            subject=getattr(issue, f"subject_{subscriber_lang(lang)}"),
            body=getattr(issue, f"body_{subscriber_lang(lang)}"),
            unsubscribe_url=self.unsubscribe_url,
            newsletter_url=absolute_url("pages.newsletter", lang=lang),
        )

    def for_reader(self, email: str, token: str) -> dict[str, object]:
        return {
            "to": email,
            "subject": self.subject,
            "body": self.body.replace(self.mark, token),
            "headers": mail.unsubscribe_headers(self.unsubscribe_url.replace(self.mark, token)),
        }
