"""Following a campaign by e-mail, without an account: double opt-in, the news, the daily digest,
one-click unsubscribe, forgetting.

The rules (how often, which subject, when the last call is due) live in `portal.domain.following`;
this module applies them (what the e-mails say: `following_mail.py`). News is recorded once
(`CampaignNews.dedupe_key`) and told in the same transaction as its cause: an update posted
(`campaign_updates.post_update`), the grant committed (`cofunding.match_funding`), a campaign
closed (`closing`). A follower mailed less than a day ago waits: `flask notify-followers` sends
what is left as a digest, and the last-48-hours news.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.domain import DomainError
from portal.domain.following import (
    MAIL_EVERY,
    UNCONFIRMED_KEPT,
    NewsKind,
    Source,
    dedupe_key,
    forgotten_before,
    last_call_due,
    may_follow,
    may_mail,
    may_resend_confirmation,
    normalise_email,
)
from portal.domain.newsletter import Source as NewsletterSource
from portal.extensions import db
from portal.models import Campaign, CampaignFollower, CampaignNews, CampaignUpdate, OutboxMessage
from portal.services import mail
from portal.services.campaigns import following_mail
from portal.services.newsletter import subscriptions
from portal.services.transaction import transactional


class FollowError(StrEnum):
    CLOSED = "closed"  # the campaign is not public, or has ended


class Followed(StrEnum):
    """What `follow` did. The person is told the same whatever it is: nobody learns whether an
    address already follows a campaign."""

    ASKED = "asked"  # a new follower: the confirmation e-mail is queued
    ASKED_AGAIN = "asked_again"  # not confirmed yet: the confirmation e-mail again
    WITHHELD = "withheld"  # not confirmed yet, and mailed less than an hour ago: nothing sent
    ALREADY = "already"  # confirmed already: nothing sent


# --- Following and confirming --------------------------------------------------------------------
def followable(campaign: Campaign, now: datetime) -> bool:
    """Whether the public campaign may be followed now (`portal.domain.following.may_follow`)."""
    return may_follow(state_is_over=campaign.state(now).is_over, closed=campaign.closed_at is not None)


@transactional
def follow(
    campaign_id: int, email: str, lang: str, now: datetime, source: str = Source.FORM, *, newsletter: bool = False
) -> Followed:
    """Ask to follow a campaign: an unconfirmed follower and the confirmation e-mail (again at most
    once an hour for one not confirmed yet; nothing for one confirmed). Refused with
    ``DomainError(FollowError.CLOSED)`` for a campaign that is not public or has ended. With
    `newsletter` (the form's separate box, ticked), also asks for the programme's newsletter, in
    the same transaction (its own double opt-in)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not campaign.is_public(now) or not followable(campaign, now):
        raise DomainError(FollowError.CLOSED)
    if newsletter:
        subscriptions.subscribe(email, lang, NewsletterSource.FOLLOW, now)
    email = normalise_email(email)
    follower = _follower_of(campaign_id, email)
    if follower is None:
        try:
            with db.session.begin_nested():
                follower = CampaignFollower(
                    campaign_id=campaign_id, email=email, lang=lang, source=Source(source).value, created_at=now
                )
                db.session.add(follower)
        except IntegrityError:  # the same address, at the same moment, from another request
            follower = _follower_of(campaign_id, email)
            outcome = Followed.ALREADY if follower.confirmed_at else Followed.WITHHELD
            return outcome
        outcome = Followed.ASKED
    elif follower.confirmed_at is not None:
        return Followed.ALREADY
    elif not may_resend_confirmation(follower.confirmation_mail_at, now):
        return Followed.WITHHELD
    else:
        follower.lang = lang
        outcome = Followed.ASKED_AGAIN
    follower.confirmation_mail_at = now
    following_mail.queue_confirmation(follower, campaign, now)
    return outcome


def _follower_of(campaign_id: int, email: str) -> CampaignFollower | None:
    return db.session.scalars(
        sa.select(CampaignFollower).filter_by(campaign_id=campaign_id, email=email).with_for_update()
    ).one_or_none()


def follower_by_token(token: str) -> CampaignFollower | None:
    """The follower of a confirmation or unsubscribe link, with their campaign; None for a link that
    is not (or no longer) one."""
    if not token or len(token) > 64:
        return None
    return db.session.scalars(sa.select(CampaignFollower).filter_by(token=token)).one_or_none()


def campaign_of(follower: CampaignFollower) -> Campaign:
    return db.session.get(Campaign, follower.campaign_id)


@transactional
def confirm(token: str, now: datetime) -> CampaignFollower | None:
    """Confirm a follow (idempotent); they are told of the news from now on, not of what happened
    before. None for an unknown link."""
    follower = follower_by_token(token)
    if follower is None or follower.confirmed_at is not None:
        return follower
    follower.confirmed_at = now
    follower.told_news_id = _latest_news_id(follower.campaign_id)
    return follower


@transactional
def unsubscribe(token: str, now: datetime) -> None:
    """Stop following: the follower is deleted with their news e-mails not sent yet. An unknown
    link is an unsubscribe already done."""
    follower = follower_by_token(token)
    if follower is None:
        return
    _delete_mails_of(follower, unsent_only=True)
    db.session.delete(follower)


def _delete_mails_of(follower: CampaignFollower, *, unsent_only: bool) -> None:
    """The e-mails written to this follower: to their address, with their link (its token) inside."""
    query = sa.delete(OutboxMessage).where(
        OutboxMessage.to == follower.email, OutboxMessage.body.contains(follower.token, autoescape=True)
    )
    if unsent_only:
        query = query.where(OutboxMessage.sent_at.is_(None))
    db.session.execute(query.execution_options(synchronize_session=False))


# --- News ----------------------------------------------------------------------------------------
def _latest_news_id(campaign_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.max(CampaignNews.id)).filter_by(campaign_id=campaign_id)) or 0


@transactional
def record_news(campaign_id: int, kind: NewsKind, now: datetime, update_id: int | None = None) -> bool:
    """Record something followers are to be told of; False when it was recorded before."""
    key = dedupe_key(campaign_id, kind, update_id)
    if db.session.scalar(sa.select(CampaignNews.id).filter_by(dedupe_key=key)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                CampaignNews(
                    campaign_id=campaign_id, kind=kind.value, update_id=update_id, dedupe_key=key, happened_at=now
                )
            )
    except IntegrityError:  # recorded at the same moment by another transaction
        return False
    return True


@transactional
def announce(campaign_id: int, kind: NewsKind, now: datetime, *, update: CampaignUpdate | None = None) -> int:
    """Record the news and tell the followers who may be mailed now; the others get it in the next
    digest. The number of e-mails queued."""
    if update is not None:
        db.session.flush()  # the update's id
    record_news(campaign_id, kind, now, update.id if update is not None else None)
    return tell_followers(campaign_id, now)


@transactional
def tell_followers(campaign_id: int, now: datetime) -> int:
    """Queue one e-mail to each confirmed follower who has news not told yet and may be mailed now
    (`may_mail`): all that news at once, in their language. The number of e-mails queued.

    One query reads the followers due (locked; another run at the same time skips them), one the
    news; the e-mails go in one INSERT, the followers' marks in one UPDATE."""
    latest = sa.select(sa.func.max(CampaignNews.id)).where(CampaignNews.campaign_id == campaign_id).scalar_subquery()
    due = db.session.scalars(
        sa.select(CampaignFollower)
        .where(
            CampaignFollower.campaign_id == campaign_id,
            CampaignFollower.confirmed_at.is_not(None),
            CampaignFollower.told_news_id < latest,
            # `may_mail`, in SQL: mailed over MAIL_EVERY ago, or never.
            sa.or_(CampaignFollower.last_mail_at.is_(None), CampaignFollower.last_mail_at <= now - MAIL_EVERY),
        )
        .order_by(CampaignFollower.id)
        .with_for_update(skip_locked=True, of=CampaignFollower)
    ).all()
    due = [f for f in due if may_mail(f.last_mail_at, now)]
    if not due:
        return 0
    campaign = db.session.get(Campaign, campaign_id)
    state = campaign.state(now)
    news = db.session.execute(
        sa.select(CampaignNews.id, CampaignNews.kind, CampaignUpdate.id, CampaignUpdate.title, CampaignUpdate.body)
        .outerjoin(CampaignUpdate, CampaignUpdate.id == CampaignNews.update_id)
        .where(CampaignNews.campaign_id == campaign_id, CampaignNews.id > min(f.told_news_id for f in due))
        .order_by(CampaignNews.id)
    ).all()
    latest_id = news[-1][0]
    groups: dict[tuple[str, int], list[CampaignFollower]] = defaultdict(list)
    for follower in due:
        groups[follower.lang, follower.told_news_id].append(follower)
    messages, mailed, told_only = [], [], []
    for (lang, told), followers in groups.items():
        items = [following_mail.news_item(row, campaign, lang) for row in news if row[0] > told]
        # The last call is no news once the campaign has ended (a digest sent after the end).
        items = [item for item in items if not (item.kind is NewsKind.LAST_48_HOURS and state.is_over)]
        if not items:
            told_only.extend(f.id for f in followers)
            continue
        messages.extend(following_mail.news_mails(campaign, items, lang, followers, now))
        mailed.extend(f.id for f in followers)
    mail.queue_many(messages, now)
    if mailed:
        db.session.execute(
            sa.update(CampaignFollower)
            .where(CampaignFollower.id.in_(mailed))
            .values(told_news_id=latest_id, last_mail_at=now)
            .execution_options(synchronize_session="fetch")
        )
    if told_only:
        db.session.execute(
            sa.update(CampaignFollower)
            .where(CampaignFollower.id.in_(told_only))
            .values(told_news_id=latest_id)
            .execution_options(synchronize_session="fetch")
        )
    return len(messages)


# --- The timed run and forgetting ------------------------------------------------------------------
@dataclass(frozen=True)
class Notified:
    last_calls: int  # campaigns whose last 48 hours were recorded as news
    mails: int  # e-mails queued


@transactional
def notify_followers(now: datetime) -> Notified:
    """`flask notify-followers`: the last 48 hours recorded for the open campaigns that have
    followers, then every follower due told of what is untold (the daily digest). Running it again
    queues nothing more."""
    followed = sa.select(CampaignFollower.campaign_id).where(CampaignFollower.confirmed_at.is_not(None))
    closing_soon = db.session.execute(
        sa.select(Campaign.id, Campaign.ends_at).where(
            Campaign.id.in_(followed),
            Campaign.is_public(now),
            Campaign.closed_at.is_(None),
            Campaign.starts_at <= now,
            Campaign.ends_at > now,
        )
    ).all()
    last_calls = sum(
        record_news(campaign_id, NewsKind.LAST_48_HOURS, now)
        for campaign_id, ends_at in closing_soon
        if last_call_due(ends_at, now)
    )
    latest = (
        sa.select(sa.func.max(CampaignNews.id))
        .where(CampaignNews.campaign_id == CampaignFollower.campaign_id)
        .correlate(CampaignFollower)
        .scalar_subquery()
    )
    campaigns = db.session.scalars(
        sa.select(CampaignFollower.campaign_id)
        .where(
            CampaignFollower.confirmed_at.is_not(None),
            CampaignFollower.told_news_id < latest,
            sa.or_(CampaignFollower.last_mail_at.is_(None), CampaignFollower.last_mail_at <= now - MAIL_EVERY),
        )
        .distinct()
        .order_by(CampaignFollower.campaign_id)
    ).all()
    return Notified(last_calls, sum(tell_followers(campaign_id, now) for campaign_id in campaigns))


@transactional
def forget_followers(now: datetime, retention_days: int) -> int:
    """Delete the followers of campaigns that ended over `retention_days` ago, and those who never
    confirmed within UNCONFIRMED_KEPT, with every e-mail written to them as followers (as the
    privacy notice says). The number forgotten."""
    forgotten = db.session.scalars(
        sa.select(CampaignFollower)
        .join(Campaign, Campaign.id == CampaignFollower.campaign_id)
        .where(
            sa.or_(
                Campaign.ends_at <= forgotten_before(retention_days, now),
                sa.and_(CampaignFollower.confirmed_at.is_(None), CampaignFollower.created_at <= now - UNCONFIRMED_KEPT),
            )
        )
    ).all()
    for follower in forgotten:
        _delete_mails_of(follower, unsent_only=False)
        db.session.delete(follower)
    return len(forgotten)
