"""Where a crowdfunding campaign stands, and when the Comune's grant is due.

A campaign collects pledges from `starts_at` (inclusive) to `ends_at` (exclusive); only
confirmed pledges count. Once they reach the citizens' target within that window, the
Comune commits its grant, once and never more than it reserved for the campaign. The
commitment is the record that the target was reached in time: a campaign with it has
succeeded when the window ends, one without it is not funded, whatever is confirmed
afterwards.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from portal.domain import DomainError
from portal.domain.match_funding import MatchRule, split_cost
from portal.domain.timeline import EventStatus, days_until, event_status, require_aware

FULL_BASIS_POINTS = 10_000  # 100 %


class CampaignState(enum.Enum):
    UPCOMING = "upcoming"
    LIVE = "live"
    COFUNDED = "cofunded"  # target reached, window still open: pledges keep coming
    SUCCEEDED = "succeeded"
    NOT_FUNDED = "not_funded"

    @property
    def is_open(self) -> bool:
        """Within its window: pledges are taken."""
        return self in (CampaignState.LIVE, CampaignState.COFUNDED)

    @property
    def is_over(self) -> bool:
        return self in (CampaignState.SUCCEEDED, CampaignState.NOT_FUNDED)

    @property
    def is_upcoming(self) -> bool:
        """Its window has not opened yet."""
        return self is CampaignState.UPCOMING

    @property
    def awaits_threshold(self) -> bool:
        """Open, and the citizens' target not reached yet: the grant is still locked."""
        return self is CampaignState.LIVE

    @property
    def is_cofunded(self) -> bool:
        """Open, and the target reached: the grant is committed and pledges keep coming."""
        return self is CampaignState.COFUNDED

    @property
    def has_succeeded(self) -> bool:
        """Over, with the grant committed."""
        return self is CampaignState.SUCCEEDED

    @property
    def missed_threshold(self) -> bool:
        """Over without the grant: pending pledges are cancelled, paid ones refunded."""
        return self is CampaignState.NOT_FUNDED


def threshold_reached(confirmed_cents: int, target_cents: int) -> bool:
    return confirmed_cents >= target_cents


def state_of(
    starts_at: datetime,
    ends_at: datetime,
    confirmed_cents: int,
    target_cents: int,
    grant_committed: bool,
    now: datetime,
) -> CampaignState:
    """While the window is open a campaign is cofunded once the target is reached (or the grant
    committed, which stays so if a refund takes the total below the target); once it ends, it
    has succeeded exactly when the grant was committed."""
    window = event_status(starts_at, ends_at, now)
    if window is EventStatus.UPCOMING:
        return CampaignState.UPCOMING
    if window is EventStatus.PAST:
        return CampaignState.SUCCEEDED if grant_committed else CampaignState.NOT_FUNDED
    if grant_committed or threshold_reached(confirmed_cents, target_cents):
        return CampaignState.COFUNDED
    return CampaignState.LIVE


def days_left(ends_at: datetime, now: datetime, tz: ZoneInfo) -> int:
    """Calendar days in `tz` from today to the last day of the window: 0 on the last day, and after it."""
    last_instant = ends_at - timedelta(microseconds=1)  # the window ends before `ends_at`
    return max(days_until(last_instant, now, tz), 0)


@dataclass(frozen=True)
class Progress:
    basis_points: int  # confirmed share of the goal, rounded down (never 100 % before it is): may exceed 10 000

    @property
    def bar_basis_points(self) -> int:
        """What the progress bar shows: full at the goal, never beyond."""
        return min(self.basis_points, FULL_BASIS_POINTS)


def progress(confirmed_cents: int, goal_cents: int) -> Progress:
    if goal_cents <= 0:
        raise ValueError("a campaign's goal is above zero")
    return Progress(confirmed_cents * FULL_BASIS_POINTS // goal_cents)


def grant_ceiling(*, goal_cents: int, target_cents: int, share_cents: int) -> int:
    """The most the Comune adds to a campaign: its share by the rule, and never so much that the
    citizens' target and the grant together pass the goal (a campaign whose target was not set by
    the rule, e.g. 4.200 € on a 10.450 € project, gets at most 6.250 €, not the rule's 6.270 €)."""
    return max(min(share_cents, goal_cents - target_cents), 0)


def grant_to_commit(
    rule: MatchRule,
    *,
    goal_cents: int,
    reserved_cents: int,
    confirmed_cents: int,
    already_committed: bool,
    now: datetime,
    starts_at: datetime,
    ends_at: datetime,
    target_cents: int | None = None,
) -> int:
    """The grant to commit now, in cents: the Comune's share of the goal, capped by what was
    reserved, when the confirmed total reaches the target within the window. 0 when nothing
    is due: before the target, outside the window, or already committed. Ask after every
    confirmation, in the same transaction, and record the commitment. `target_cents`, when
    given, is the campaign's own target fixed at launch (it wins over the rule's current one)."""
    if reserved_cents < 0:
        raise ValueError("a reserve cannot be negative")
    split = split_cost(goal_cents, rule)
    target = split.citizens_target_cents if target_cents is None else target_cents
    due = (
        not already_committed
        and event_status(starts_at, ends_at, now) is EventStatus.LIVE
        and threshold_reached(confirmed_cents, target)
    )
    ceiling = grant_ceiling(goal_cents=goal_cents, target_cents=target, share_cents=split.comune_cents)
    return min(ceiling, reserved_cents) if due else 0


class ClosingError(enum.StrEnum):
    STILL_OPEN = "still_open"  # the window has not ended


@dataclass(frozen=True)
class ClosingOutcome:
    state: CampaignState  # SUCCEEDED or NOT_FUNDED
    to_cancel: tuple[str, ...]  # pending pledges: never paid in time
    to_refund: tuple[str, ...]  # confirmed pledges of a campaign not funded


def closing_outcome(
    *,
    ends_at: datetime,
    now: datetime,
    grant_committed: bool,
    pending_references: Iterable[str],
    confirmed_references: Iterable[str],
) -> ClosingOutcome:
    """What happens to a campaign and its pledges (by payment reference) when its window ends.

    Pending pledges are cancelled either way; confirmed ones are listed for refund when the
    campaign is not funded. Raises ``DomainError(ClosingError.STILL_OPEN)`` before `ends_at`.
    """
    require_aware(ends_at, now)
    if now < ends_at:
        raise DomainError(ClosingError.STILL_OPEN)
    if grant_committed:
        return ClosingOutcome(CampaignState.SUCCEEDED, tuple(pending_references), ())
    return ClosingOutcome(CampaignState.NOT_FUNDED, tuple(pending_references), tuple(confirmed_references))
