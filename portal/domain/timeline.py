"""Where a call and its events stand relative to "now"."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


class CallStatus(enum.Enum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def is_upcoming(self) -> bool:
        return self is CallStatus.UPCOMING

    @property
    def is_open(self) -> bool:
        """Applications are accepted."""
        return self is CallStatus.OPEN

    @property
    def is_closed(self) -> bool:
        """Past the deadline: no more applications."""
        return self is CallStatus.CLOSED


class EventStatus(enum.Enum):
    UPCOMING = "upcoming"
    LIVE = "live"
    PAST = "past"

    @property
    def is_upcoming(self) -> bool:
        return self is EventStatus.UPCOMING

    @property
    def is_live(self) -> bool:
        """Started and not yet ended."""
        return self is EventStatus.LIVE

    @property
    def is_past(self) -> bool:
        return self is EventStatus.PAST


@dataclass(frozen=True)
class CallState:
    status: CallStatus
    days_left: int | None  # calendar days in the local zone until the last day, when open
    last_day: date  # the last day applications are accepted, local date


def require_aware(*moments: datetime) -> None:
    if any(m.tzinfo is None for m in moments):
        raise ValueError("naive datetime: every instant must carry its time zone")


def last_day(closes_at: datetime, tz: ZoneInfo) -> date:
    """The last local day of a window that closes (exclusive) at `closes_at`."""
    return (closes_at.astimezone(tz) - timedelta(microseconds=1)).date()


def call_state(opens_at: datetime | None, closes_at: datetime, now: datetime, tz: ZoneInfo) -> CallState:
    """Open from `opens_at` (inclusive) to `closes_at` (exclusive).

    Days left count local calendar days: on the last day it is 0 ("ultimo giorno").
    """
    require_aware(closes_at, now, *([opens_at] if opens_at else []))
    final = last_day(closes_at, tz)
    if opens_at is not None and now < opens_at:
        return CallState(CallStatus.UPCOMING, None, final)
    if now >= closes_at:
        return CallState(CallStatus.CLOSED, None, final)
    return CallState(CallStatus.OPEN, (final - now.astimezone(tz).date()).days, final)


def event_status(starts_at: datetime, ends_at: datetime, now: datetime) -> EventStatus:
    require_aware(starts_at, ends_at, now)
    if now < starts_at:
        return EventStatus.UPCOMING
    if now < ends_at:
        return EventStatus.LIVE
    return EventStatus.PAST


def days_until(moment: datetime, now: datetime, tz: ZoneInfo) -> int:
    """Local calendar days from today to the day of `moment` (0 = today)."""
    require_aware(moment, now)
    return (moment.astimezone(tz).date() - now.astimezone(tz).date()).days
