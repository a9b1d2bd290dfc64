"""A campaign's money, told one way everywhere: the gallery card, the campaign page, the tracker,
the e-mails and the text alternatives of the progress bars all read this picture.

In this order: first the citizens' threshold (what they raised of it, how far they are, and what
the threshold is of the project's cost), then the Comune's share and whether it is unlocked, then
the goal, the project's whole cost. A progress bar fills toward the citizens' threshold: that is
what its text says, with the same percent.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from portal.domain.campaign import FULL_BASIS_POINTS, CampaignState, progress


class GrantStatus(enum.Enum):
    NONE = "none"  # nothing reserved for this campaign
    LOCKED = "locked"  # reserved, waiting for the citizens' threshold
    UNLOCKED = "unlocked"  # committed: the threshold was reached in time
    MISSED = "missed"  # the window ended without the threshold: never paid

    @property
    def is_none(self) -> bool:
        return self is GrantStatus.NONE

    @property
    def is_locked(self) -> bool:
        return self is GrantStatus.LOCKED

    @property
    def is_unlocked(self) -> bool:
        return self is GrantStatus.UNLOCKED

    @property
    def is_missed(self) -> bool:
        return self is GrantStatus.MISSED


@dataclass(frozen=True)
class MoneyPicture:
    raised_cents: int  # confirmed pledges only
    target_cents: int  # the citizens' threshold
    goal_cents: int  # the project's cost
    threshold_share: int  # what the threshold is of the cost, in whole percent (nearest)
    threshold_percent: int  # how much of the threshold is raised, rounded down; may pass 100
    grant_cents: int  # the Comune's share: committed once unlocked, the reserve before
    grant: GrantStatus

    @property
    def bar_percent(self) -> int:
        """What a progress bar fills, 0-100: the way toward the citizens' threshold."""
        return min(self.threshold_percent, 100)

    @property
    def missing_cents(self) -> int:
        """Still missing to the threshold (0 once reached)."""
        return max(self.target_cents - self.raised_cents, 0)

    @property
    def threshold_reached(self) -> bool:
        return self.raised_cents >= self.target_cents


def _share_of_cost(target_cents: int, goal_cents: int) -> int:
    """The threshold's share of the cost in whole percent, to the nearest (half up): an edition's
    rule sets the target at its percent rounded up to the cent, which this gives back exactly."""
    return (target_cents * 100 * 2 + goal_cents) // (goal_cents * 2)


def money_picture(
    *,
    raised_cents: int,
    target_cents: int,
    goal_cents: int,
    reserved_cents: int,
    committed_cents: int | None,
    state: CampaignState,
) -> MoneyPicture:
    """The money of one campaign. `committed_cents` is the Comune's grant once committed (None
    before); `state` is the campaign's (`state_of`), which says whether the window is over."""
    if goal_cents <= 0:
        raise ValueError("a campaign's goal is above zero")
    if committed_cents is not None:
        grant, grant_cents = GrantStatus.UNLOCKED, committed_cents
    elif not reserved_cents:
        grant, grant_cents = GrantStatus.NONE, 0
    elif state.missed_threshold:
        grant, grant_cents = GrantStatus.MISSED, reserved_cents
    else:
        grant, grant_cents = GrantStatus.LOCKED, reserved_cents
    reached = progress(raised_cents, target_cents).basis_points if target_cents > 0 else FULL_BASIS_POINTS
    return MoneyPicture(
        raised_cents=raised_cents,
        target_cents=target_cents,
        goal_cents=goal_cents,
        threshold_share=_share_of_cost(target_cents, goal_cents),
        threshold_percent=reached // 100,
        grant_cents=grant_cents,
        grant=grant,
    )


class CampaignMoney(Protocol):
    """What a campaign row holds of its money (portal.models.Campaign)."""

    confirmed_cents: int
    target_cents: int
    goal_cents: int
    reserved_cents: int
    grant_cents: int | None

    @property
    def grant_committed(self) -> bool: ...


def money_of(campaign: CampaignMoney, state: CampaignState) -> MoneyPicture:
    """`money_picture` of a campaign in `state` (`Campaign.state(now)`)."""
    return money_picture(
        raised_cents=campaign.confirmed_cents,
        target_cents=campaign.target_cents,
        goal_cents=campaign.goal_cents,
        reserved_cents=campaign.reserved_cents,
        committed_cents=(campaign.grant_cents or 0) if campaign.grant_committed else None,
        state=state,
    )
