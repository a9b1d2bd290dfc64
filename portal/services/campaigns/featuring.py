"""Staff feature a campaign, or stop featuring it: it is shown first, marked "In evidenza", on the
home page and in the gallery while it is live (`portal.domain.gallery.in_spotlight`, the rule's
one home; `check_featurable` says which campaigns may be featured). Each change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.domain import DomainError
from portal.domain.gallery import FeaturingError, check_featurable, in_spotlight
from portal.models import Campaign, User
from portal.services import audit
from portal.services.transaction import transactional


@dataclass(frozen=True)
class Featuring:
    """What the staff campaign page says of featuring a campaign at a moment."""

    featured_at: datetime | None
    shown_first: bool  # featured and live: first on the home page and in the gallery now
    refusal: FeaturingError | None  # why it may not be featured (None: it may, or it is)


def featuring_of(campaign: Campaign, now: datetime) -> Featuring:
    state = campaign.state(now)
    refusal = None
    if campaign.featured_at is None:
        try:
            check_featurable(campaign.is_published, state)
        except DomainError as error:
            refusal = error.code
    return Featuring(campaign.featured_at, in_spotlight(campaign.featured_at is not None, state), refusal)


@transactional
def feature(campaign: Campaign, actor: User, now: datetime) -> None:
    """Feature a published campaign, live or about to open; refused when it is not published, is
    over, or is featured already."""
    check_featurable(campaign.is_published, campaign.state(now))
    if campaign.featured_at is not None:
        raise DomainError(FeaturingError.ALREADY_FEATURED)
    campaign.featured_at = now
    _record(actor, "campaign.feature", campaign, None, now)


@transactional
def unfeature(campaign: Campaign, actor: User, now: datetime) -> None:
    """Stop featuring it (whatever its state: staff may always take a mark away)."""
    if campaign.featured_at is None:
        raise DomainError(FeaturingError.NOT_FEATURED)
    before, campaign.featured_at = campaign.featured_at, None
    _record(actor, "campaign.unfeature", campaign, before, now)


def _record(actor: User, action: str, campaign: Campaign, before: datetime | None, now: datetime) -> None:
    after = campaign.featured_at
    audit.record(
        actor,
        action,
        "campaign",
        campaign.id,
        now,
        label=campaign.title,
        changes={"featured_at": [before and before.isoformat(), after and after.isoformat()]},
    )
