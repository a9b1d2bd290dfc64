"""Following a campaign by e-mail: what followers are told of, and how often.

Someone follows a campaign with their address alone (double opt-in: nothing is sent but the
confirmation until they confirm). Confirmed followers are told of the campaign's news — an update,
the threshold reached, the last 48 hours, the outcome — at most once a day per campaign: what
happens meanwhile waits for the next e-mail, a digest (`flask notify-followers`).
Pure rules: "now" is always a parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

# At most one news e-mail a day per campaign per follower; more news waits for the digest.
MAIL_EVERY = timedelta(hours=24)
# "Last call": followers are told once a campaign enters its last 48 hours.
LAST_CALL = timedelta(hours=48)
# The confirmation e-mail again, for someone who asks to follow again before confirming: at most hourly.
CONFIRMATION_MAIL_EVERY = timedelta(hours=1)
# A follow never confirmed is forgotten after this long (`flask forget-followers`).
UNCONFIRMED_KEPT = timedelta(days=7)
# How much of an update's text an e-mail quotes before the link to the page.
EXCERPT_CHARACTERS = 300


class NewsKind(StrEnum):
    UPDATE = "update"  # the organisation posted an update
    THRESHOLD = "threshold"  # the citizens reached the threshold: the Comune's grant is unlocked
    LAST_48_HOURS = "last_48_hours"  # the campaign ends within LAST_CALL
    OUTCOME = "outcome"  # the campaign closed: succeeded or not funded

    @property
    def is_update(self) -> bool:
        return self is NewsKind.UPDATE

    @property
    def is_threshold(self) -> bool:
        return self is NewsKind.THRESHOLD

    @property
    def is_last_call(self) -> bool:
        return self is NewsKind.LAST_48_HOURS

    @property
    def is_outcome(self) -> bool:
        return self is NewsKind.OUTCOME


class Source(StrEnum):
    """Where a follow came from: the form on the campaign's page, or the box on the pledge form."""

    FORM = "form"
    PLEDGE = "pledge"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def may_follow(*, state_is_over: bool, closed: bool) -> bool:
    """A public campaign may be followed until it ends (upcoming and open ones): afterwards there
    is no news left but the outcome, told to those who already follow."""
    return not state_is_over and not closed


def may_mail(last_mail_at: datetime | None, now: datetime) -> bool:
    """Whether a follower may get a news e-mail of this campaign now (at most one per MAIL_EVERY)."""
    return last_mail_at is None or now - last_mail_at >= MAIL_EVERY


def may_resend_confirmation(confirmation_mail_at: datetime | None, now: datetime) -> bool:
    """Whether the confirmation e-mail may go out (again) now: at most once per CONFIRMATION_MAIL_EVERY."""
    return confirmation_mail_at is None or now - confirmation_mail_at >= CONFIRMATION_MAIL_EVERY


def last_call_due(ends_at: datetime, now: datetime) -> bool:
    """The campaign is in its last 48 hours (and still open)."""
    return ends_at - LAST_CALL <= now < ends_at


def dedupe_key(campaign_id: int, kind: NewsKind, update_id: int | None = None) -> str:
    """One news of each kind per campaign, one per update: recording it again changes nothing."""
    if kind is NewsKind.UPDATE:
        return f"{campaign_id}:{kind.value}:{update_id}"
    return f"{campaign_id}:{kind.value}"


def subject_kind(kinds: Sequence[NewsKind]) -> NewsKind | None:
    """The subject of an e-mail telling `kinds` (oldest first): one news has its own subject;
    several make a digest ("Novità su «…»"), None."""
    return kinds[0] if len(kinds) == 1 else None


def forgotten_before(retention_days: int, now: datetime) -> datetime:
    """Followers of campaigns that ended before this instant are forgotten."""
    return now - timedelta(days=retention_days)


def excerpt(text: str, limit: int = EXCERPT_CHARACTERS) -> str:
    """The first words of a text, at most `limit` characters, cut at a word with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:.") + "…"
