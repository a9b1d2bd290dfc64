"""How ready a campaign being prepared is: the one rule of `portal.domain.readiness`, read from the
campaign's row (its cover, video, team, first supporters and updates plan) and its rewards."""

from __future__ import annotations

from portal.domain.readiness import Draft, Readiness, readiness
from portal.models import Campaign


def draft_of(campaign: Campaign) -> Draft:
    return Draft(
        story=campaign.story,
        has_cover=campaign.image_file is not None,
        has_video=bool(campaign.video_url),
        rewards=len(campaign.rewards),
        team_members=campaign.team_members,
        first_supporters=campaign.first_supporters,
        updates_plan=campaign.updates_plan,
    )


def readiness_of(campaign: Campaign) -> Readiness:
    """The checklist and its score, as the team, its coach and staff see it."""
    return readiness(draft_of(campaign))
