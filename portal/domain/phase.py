"""What a person can do today: the moments of an edition, from its dates, its events and the clock.

The home page leads with these moments, and the layout's "Guarda la diretta" banner asks
`is_live`. Several can hold at once: on 3 June 2020 at 15:45 the call is open, the course takes
registrations and the info session is live. The order of `Moment` is the order the home page
leads with them: first what a person can act on (watch, apply, register, support a campaign),
then what there is to know (the evaluation, the results).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.domain.timeline import CallState, call_state, event_status, require_aware


class Moment(enum.Enum):
    INFO_SESSION_LIVE = "info_session_live"  # the info session is streaming now
    CALL_OPEN = "call_open"  # applications are accepted
    CALL_UPCOMING = "call_upcoming"  # the call opens later
    REGISTRATIONS_OPEN = "registrations_open"  # a lesson of the course takes registrations
    CAMPAIGNS = "campaigns"  # campaigns are open, or announced and about to open
    EVALUATION = "evaluation"  # the call has closed and the results are not out yet
    RESULTS = "results"  # every campaign has ended: the edition's results


@dataclass(frozen=True)
class Window:
    """An event's slot: from `starts_at` (inclusive) to `ends_at` (exclusive)."""

    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class CampaignCounts:
    """The edition's public campaigns at a moment, by where their window stands."""

    upcoming: int = 0
    open: int = 0  # within their window: live or co-funded
    over: int = 0

    @property
    def public(self) -> int:
        return self.upcoming + self.open + self.over


@dataclass(frozen=True)
class EditionFacts:
    """What the rule reads of an edition: its dates, its events and its campaigns."""

    call_opens_at: datetime | None = None
    call_closes_at: datetime | None = None
    info_session: Window | None = None
    lessons_taking_registrations: int = 0  # lessons whose `Event.takes_registrations` holds now
    results_expected_on: date | None = None  # a local date
    ranking_public: bool = False  # `Edition.ranking_is_public` at that moment
    campaigns: CampaignCounts = CampaignCounts()


@dataclass(frozen=True)
class Today:
    """The moments that hold now, in the order the home page leads with them."""

    moments: tuple[Moment, ...]
    call: CallState | None  # where the call stands (None: the edition gives no deadline)
    deadline: datetime | None  # the last minute to apply, as people read it (`last_minute`)
    results_expected_on: date | None  # the expected day of the results, while it is still ahead

    @property
    def on_page(self) -> tuple[Moment, ...]:
        """What the home page leads with, in order: a live info session is the banner's, on every page."""
        return tuple(m for m in self.moments if m is not Moment.INFO_SESSION_LIVE)

    @property
    def info_session_live(self) -> bool:
        return Moment.INFO_SESSION_LIVE in self.moments

    @property
    def call_open(self) -> bool:
        return Moment.CALL_OPEN in self.moments

    @property
    def call_upcoming(self) -> bool:
        return Moment.CALL_UPCOMING in self.moments

    @property
    def registrations_open(self) -> bool:
        return Moment.REGISTRATIONS_OPEN in self.moments

    @property
    def campaigns(self) -> bool:
        return Moment.CAMPAIGNS in self.moments

    @property
    def evaluation(self) -> bool:
        return Moment.EVALUATION in self.moments

    @property
    def results(self) -> bool:
        return Moment.RESULTS in self.moments


def is_live(window: Window | None, now: datetime) -> bool:
    """An event is on: started and not yet ended."""
    return window is not None and event_status(window.starts_at, window.ends_at, now).is_live


def last_minute(closes_at: datetime, tz: ZoneInfo) -> datetime:
    """The deadline as people read it: a window that closes (exclusive) at local midnight ends at
    23:59 of the day before ("entro le 23:59 del 31 luglio"); any other instant is shown as it is."""
    local = closes_at.astimezone(tz)
    if local.time() == time(0, 0):
        return local - timedelta(minutes=1)
    return local


def next_midnight(now: datetime, tz: ZoneInfo) -> datetime:
    """The next local midnight after `now` (aware, in UTC): "days left", "today" and the expected
    day of the results change then, by the clock alone."""
    require_aware(now)
    tomorrow = now.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0, 0), tzinfo=tz).astimezone(UTC)


def results_pending(facts: EditionFacts, call_closed: bool, now: datetime, today: date) -> bool:
    """The call has closed and its results are not out: out once the ranking is published; without
    a published ranking, once campaigns are public, though never before the day they are expected."""
    if not call_closed:
        return False
    if facts.ranking_public:
        return False
    if facts.results_expected_on is not None and today <= facts.results_expected_on:
        return True
    return facts.campaigns.public == 0


def today(facts: EditionFacts, now: datetime, tz: ZoneInfo) -> Today:
    """The moments of an edition at `now` (aware), with the call's figures the page shows."""
    require_aware(now)
    local_today = now.astimezone(tz).date()
    call = None
    if facts.call_closes_at is not None:
        call = call_state(facts.call_opens_at, facts.call_closes_at, now, tz)
    held = {
        Moment.INFO_SESSION_LIVE: is_live(facts.info_session, now),
        Moment.CALL_OPEN: call is not None and call.status.is_open,
        Moment.CALL_UPCOMING: call is not None and call.status.is_upcoming,
        Moment.REGISTRATIONS_OPEN: facts.lessons_taking_registrations > 0,
        Moment.CAMPAIGNS: facts.campaigns.open + facts.campaigns.upcoming > 0,
        Moment.EVALUATION: results_pending(facts, call is not None and call.status.is_closed, now, local_today),
        Moment.RESULTS: facts.campaigns.over > 0 and facts.campaigns.open + facts.campaigns.upcoming == 0,
    }
    expected = facts.results_expected_on
    return Today(
        moments=tuple(moment for moment in Moment if held[moment]),
        call=call,
        deadline=last_minute(facts.call_closes_at, tz) if facts.call_closes_at is not None else None,
        results_expected_on=expected if expected is not None and local_today <= expected else None,
    )
