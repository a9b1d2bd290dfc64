"""What followers of a campaign read: the confirmation e-mail and the news e-mails (one news, or a
digest), each in the follower's language; `following.py` decides who gets what, and when."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from portal.domain.following import NewsKind, excerpt, subject_kind
from portal.domain.funding import money_of
from portal.i18n import money
from portal.models import Campaign, CampaignFollower
from portal.services import mail
from portal.urls import absolute_url

CONFIRMATION_SUBJECT = _l("Conferma: vuoi seguire «%(title)s»?")
# One news: its own subject. Several: the digest's.
SUBJECTS = {
    NewsKind.UPDATE: _l("Aggiornamento da «%(title)s»: %(update)s"),
    NewsKind.THRESHOLD: _l("«%(title)s» ha raggiunto la soglia: il Comune aggiunge %(amount)s"),
    NewsKind.LAST_48_HOURS: _l("Ultime 48 ore per sostenere «%(title)s»"),
}
OUTCOME_SUBJECTS = {
    True: _l("Campagna conclusa con successo: «%(title)s»"),
    False: _l("Campagna conclusa senza raggiungere la soglia: «%(title)s»"),
}
DIGEST_SUBJECT = _l("Novità su «%(title)s»")
# Where a block of an update's HTML ends: a space there, so its paragraphs' words stay apart.
_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote|div|pre)>|<br\s*/?>", re.IGNORECASE)


def queue_confirmation(follower: CampaignFollower, campaign: Campaign, now: datetime) -> None:
    """The double opt-in: the link to confirm, and how to ignore it. No List-Unsubscribe: there is
    nothing to leave yet."""
    mail.send(
        "follow_confirm",
        to=follower.email,
        lang=follower.lang,
        subject=CONFIRMATION_SUBJECT,
        subject_args={"title": campaign.title},
        now=now,
        campaign=campaign,
        campaign_url=absolute_url("campaigns.detail", lang=follower.lang, slug=campaign.slug),
        confirm_url=absolute_url("campaigns.follow_confirm", lang=follower.lang, token=follower.token),
    )


@dataclass(frozen=True)
class NewsItem:
    id: int
    kind: NewsKind
    title: str | None = None  # an update's
    excerpt: str | None = None  # an update's first words
    url: str | None = None  # an update's place on its campaign's page


def news_item(row, campaign: Campaign, lang: str) -> NewsItem:
    news_id, kind, update_id, title, body = row
    kind = NewsKind(kind)
    if kind is NewsKind.UPDATE and update_id is not None:
        page = absolute_url("campaigns.detail", lang=lang, slug=campaign.slug)
        text = excerpt(Markup(_BLOCK_END.sub(" ", body)).striptags())
        return NewsItem(news_id, kind, title, text, f"{page}#update-{update_id}")
    return NewsItem(news_id, kind)


def _subject(campaign: Campaign, items: list[NewsItem]):
    kind = subject_kind([item.kind for item in items])
    if kind is None:
        return DIGEST_SUBJECT
    if kind is NewsKind.OUTCOME:
        return OUTCOME_SUBJECTS[campaign.grant_committed]
    return SUBJECTS[kind]


def news_mails(
    campaign: Campaign, items: list[NewsItem], lang: str, followers: list[CampaignFollower], now: datetime
) -> list[dict[str, object]]:
    """One text for everyone who reads it in `lang` from the same news on, rendered once; each copy
    carries its reader's own unsubscribe link (in the body and in the List-Unsubscribe header)."""
    mark = secrets.token_hex(16)  # stands for each reader's token in the text rendered once
    unsubscribe_url = absolute_url("campaigns.follow_unsubscribe", lang=lang, token=mark)
    subject, body = mail.render(
        "follow_news",
        lang=lang,
        subject=_subject(campaign, items),
        subject_args={
            "title": campaign.title,
            "update": items[0].title or "",
            "amount": LazyString(money, campaign.grant_cents or 0),
        },
        campaign=campaign,
        state=campaign.state(now),
        items=items,
        money=money_of(campaign, campaign.state(now)),  # told as on every page (campaigns/_money.txt)
        campaign_url=absolute_url("campaigns.detail", lang=lang, slug=campaign.slug),
        pledge_url=absolute_url("campaigns.pledge", lang=lang, slug=campaign.slug),
        unsubscribe_url=unsubscribe_url,
    )
    return [
        {
            "to": follower.email,
            "subject": subject,
            "body": body.replace(mark, follower.token),
            "headers": mail.unsubscribe_headers(unsubscribe_url.replace(mark, follower.token)),
        }
        for follower in followers
    ]
