"""Subscribing to the programme's newsletter, without an account: double opt-in, confirming,
one-click unsubscribe, forgetting.

The rules (how often the confirmation may go out, how long a subscription is kept, which sources
count) live in `portal.domain.newsletter`; this module applies them. `subscribe` is called by the
footer's box, and — inside their own transaction, when the person ticked the separate box — by the
course registration, the pledge and the follow services. Whatever it does, the person is told the
same: nobody learns whether an address is subscribed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.domain import DomainError
from portal.domain.newsletter import (
    UNCONFIRMED_KEPT,
    UNSUBSCRIBED_KEPT,
    forgotten,
    may_send_confirmation,
    normalise_email,
    subscriber_lang,
    valid_source,
)
from portal.extensions import db
from portal.models import NewsletterSubscriber, OutboxMessage
from portal.services.newsletter import newsletter_mail
from portal.services.transaction import transactional

TOKEN_MAX = 64


class SubscriptionError(StrEnum):
    UNKNOWN_SOURCE = "unknown_source"  # not one of the places where the newsletter may be asked for


class Subscribed(StrEnum):
    """What `subscribe` did; the person is told the same whatever it is."""

    ASKED = "asked"  # a new subscriber: the confirmation e-mail is queued
    ASKED_AGAIN = "asked_again"  # not confirmed (or unsubscribed before): the confirmation e-mail again
    WITHHELD = "withheld"  # not confirmed, and mailed less than an hour ago: nothing sent
    ALREADY = "already"  # receives the newsletter already: nothing sent


@transactional
def subscribe(email: str, lang: str, source: str, now: datetime) -> Subscribed:
    """Ask for the newsletter: an unconfirmed subscriber and the confirmation e-mail (again at most
    once an hour for one not confirmed yet; nothing for one confirmed). Someone who unsubscribed and
    asks again gives a new consent: unconfirmed again, until the new confirmation."""
    if not valid_source(source):
        raise DomainError(SubscriptionError.UNKNOWN_SOURCE)
    email, lang = normalise_email(email), subscriber_lang(lang)
    subscriber = _subscriber_of(email)
    if subscriber is None:
        try:
            with db.session.begin_nested():
                subscriber = NewsletterSubscriber(email=email, lang=lang, source=source, created_at=now)
                db.session.add(subscriber)
        except IntegrityError:  # the same address, at the same moment, from another request
            subscriber = _subscriber_of(email)
            return Subscribed.ALREADY if subscriber.receives_newsletter else Subscribed.WITHHELD
        outcome = Subscribed.ASKED
    elif subscriber.receives_newsletter:
        return Subscribed.ALREADY
    else:
        if subscriber.unsubscribed_at is not None:  # a new request, a new consent to confirm
            subscriber.unsubscribed_at = subscriber.confirmed_at = None
            subscriber.created_at, subscriber.source = now, source
        if not may_send_confirmation(subscriber.confirmation_mail_at, now):
            return Subscribed.WITHHELD
        subscriber.lang = lang
        outcome = Subscribed.ASKED_AGAIN
    subscriber.confirmation_mail_at = now
    newsletter_mail.queue_confirmation(subscriber, now)
    return outcome


def _subscriber_of(email: str) -> NewsletterSubscriber | None:
    return db.session.scalars(sa.select(NewsletterSubscriber).filter_by(email=email).with_for_update()).one_or_none()


def subscriber_by_token(token: str) -> NewsletterSubscriber | None:
    """The subscriber of a confirmation or unsubscribe link; None for a link that is not (or no
    longer) one."""
    if not token or len(token) > TOKEN_MAX:
        return None
    return db.session.scalars(sa.select(NewsletterSubscriber).filter_by(token=token)).one_or_none()


@transactional
def confirm(token: str, now: datetime) -> NewsletterSubscriber | None:
    """Confirm a subscription (idempotent): issues sent from now on reach them. A link of someone
    who unsubscribed since confirms nothing (they ask again). None for an unknown link."""
    subscriber = subscriber_by_token(token)
    if subscriber is not None and subscriber.confirmed_at is None and subscriber.unsubscribed_at is None:
        subscriber.confirmed_at = now
    return subscriber


@transactional
def unsubscribe(token: str, now: datetime) -> None:
    """Stop receiving the newsletter (idempotent): marked unsubscribed, with the issues not sent
    yet to them dropped from the outbox. An unknown link is an unsubscribe already done."""
    subscriber = subscriber_by_token(token)
    if subscriber is None or subscriber.unsubscribed_at is not None:
        return
    subscriber.unsubscribed_at = now
    _delete_mails_of(subscriber, unsent_only=True)


def _delete_mails_of(subscriber: NewsletterSubscriber, *, unsent_only: bool) -> None:
    """The e-mails written to this subscriber as such: to their address, with their link (its
    token) inside."""
    query = sa.delete(OutboxMessage).where(
        OutboxMessage.to == subscriber.email, OutboxMessage.body.contains(subscriber.token, autoescape=True)
    )
    if unsent_only:
        query = query.where(OutboxMessage.sent_at.is_(None))
    db.session.execute(query.execution_options(synchronize_session=False))


@transactional
def forget(now: datetime) -> int:
    """`flask forget-newsletter`: delete the subscriptions never confirmed within UNCONFIRMED_KEPT
    and those unsubscribed over UNSUBSCRIBED_KEPT ago (`portal.domain.newsletter.forgotten`), with
    every e-mail written to them as subscribers, as the privacy notice says. The number deleted."""
    candidates = db.session.scalars(
        sa.select(NewsletterSubscriber)
        .where(
            sa.or_(
                NewsletterSubscriber.unsubscribed_at <= now - UNSUBSCRIBED_KEPT,
                sa.and_(
                    NewsletterSubscriber.confirmed_at.is_(None),
                    NewsletterSubscriber.unsubscribed_at.is_(None),
                    NewsletterSubscriber.created_at <= now - UNCONFIRMED_KEPT,
                ),
            )
        )
        .with_for_update()
    ).all()
    gone = [s for s in candidates if forgotten(s.created_at, s.confirmed_at, s.unsubscribed_at, now)]
    for subscriber in gone:
        _delete_mails_of(subscriber, unsent_only=False)
        db.session.delete(subscriber)
    return len(gone)


@dataclass(frozen=True)
class Counts:
    confirmed: int  # receive the newsletter
    waiting: int  # asked, not confirmed yet
    unsubscribed: int  # left, within UNSUBSCRIBED_KEPT


def counts() -> Counts:
    """The subscribers for staff, in one query."""
    subscriber = NewsletterSubscriber
    confirmed = sa.and_(subscriber.confirmed_at.is_not(None), subscriber.unsubscribed_at.is_(None))
    waiting = sa.and_(subscriber.confirmed_at.is_(None), subscriber.unsubscribed_at.is_(None))
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(confirmed),
            sa.func.count().filter(waiting),
            sa.func.count().filter(subscriber.unsubscribed_at.is_not(None)),
        )
    ).one()
    return Counts(*row)
