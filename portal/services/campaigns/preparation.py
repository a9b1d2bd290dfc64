"""The team prepares its campaign before staff publish it: the story, the team, the first supporters
to ask on day one, the plan of updates and the rewards. One function per form, each audited; all
refused once the campaign is published (``DomainError(PreparationError.PUBLISHED)``): from then on
its content is what supporters saw."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa

from portal.domain import DomainError
from portal.extensions import db
from portal.models import Campaign, CampaignReward, User
from portal.services import audit
from portal.services.campaigns.locking import locked_campaign
from portal.services.transaction import transactional

SUMMARY_MAX = 400
STORY_MAX = 20_000
LIST_MAX = 10_000  # team, first supporters, updates plan: characters of the whole list
REWARD_TITLE_MAX = 120
REWARD_DESCRIPTION_MAX = 500
REWARDS_MAX = 20


class PreparationError(StrEnum):
    PUBLISHED = "published"  # the campaign is published: its content is fixed
    SUMMARY = "summary"  # missing or longer than SUMMARY_MAX
    TOO_LONG = "too_long"  # a text past its limit (params: limit)
    REWARD = "reward"  # a reward without title, description or a positive amount, or past a limit
    REWARD_NOT_FOUND = "reward_not_found"
    TOO_MANY_REWARDS = "too_many_rewards"  # params: limit


def preparable(campaign: Campaign) -> bool:
    """Whether the team may still change the campaign: until staff publish it."""
    return not campaign.is_published


def _open_campaign(campaign_id: int) -> Campaign:
    campaign = locked_campaign(campaign_id)
    if not preparable(campaign):
        raise DomainError(PreparationError.PUBLISHED)
    return campaign


def _text(value: str | None, limit: int) -> str | None:
    """Trailing spaces of each line and surrounding blank lines removed; None when empty."""
    text = "\n".join(line.rstrip() for line in (value or "").replace("\r\n", "\n").split("\n")).strip()
    if len(text) > limit:
        raise DomainError(PreparationError.TOO_LONG, limit=limit)
    return text or None


def _record(
    actor: User, action: str, campaign: Campaign, now: datetime, before: dict, after: dict, reward_id: int | None = None
) -> None:
    changes = audit.diff(before, after)
    if reward_id is not None:  # which reward, even when nothing else names it
        changes["reward_id"] = [reward_id, reward_id]
    audit.record(actor, action, "campaign", campaign.id, now, label=campaign.title, changes=changes)


@transactional
def save_story(campaign_id: int, summary: str, story: str | None, actor: User, now: datetime) -> Campaign:
    campaign = _open_campaign(campaign_id)
    summary = (summary or "").strip()
    if not summary or len(summary) > SUMMARY_MAX:
        raise DomainError(PreparationError.SUMMARY, limit=SUMMARY_MAX)
    story = _text(story, STORY_MAX)
    before = {"summary": campaign.summary, "story": campaign.story}
    campaign.summary, campaign.story = summary, story
    _record(actor, "campaign.prepare_story", campaign, now, before, {"summary": summary, "story": story})
    return campaign


def _save_list(campaign_id: int, column: str, value: str | None, actor: User, now: datetime) -> Campaign:
    campaign = _open_campaign(campaign_id)
    text = _text(value, LIST_MAX)
    before = {column: getattr(campaign, column)}
    setattr(campaign, column, text)
    _record(actor, f"campaign.prepare_{column}", campaign, now, before, {column: text})
    return campaign


@transactional
def save_team(campaign_id: int, team: str | None, actor: User, now: datetime) -> Campaign:
    """The team, one person per line ("Nome — ruolo")."""
    return _save_list(campaign_id, "team_members", team, actor, now)


@transactional
def save_first_supporters(campaign_id: int, names: str | None, actor: User, now: datetime) -> Campaign:
    """The people to ask on day one, one per line: private to the team, its coach and staff."""
    return _save_list(campaign_id, "first_supporters", names, actor, now)


@transactional
def save_updates_plan(campaign_id: int, plan: str | None, actor: User, now: datetime) -> Campaign:
    """The updates the team plans to post, one per line."""
    return _save_list(campaign_id, "updates_plan", plan, actor, now)


def _reward_fields(title: str, min_pledge_cents: int | None, description: str, quantity: int | None) -> dict:
    title, description = (title or "").strip(), (description or "").strip()
    if (
        not title
        or len(title) > REWARD_TITLE_MAX
        or not description
        or len(description) > REWARD_DESCRIPTION_MAX
        or min_pledge_cents is None
        or min_pledge_cents <= 0
        or (quantity is not None and quantity <= 0)
    ):
        raise DomainError(PreparationError.REWARD)
    return {"title": title, "min_pledge_cents": min_pledge_cents, "description": description, "quantity": quantity}


def _reward_of(campaign: Campaign, reward_id: int) -> CampaignReward:
    reward = next((reward for reward in campaign.rewards if reward.id == reward_id), None)
    if reward is None:
        raise DomainError(PreparationError.REWARD_NOT_FOUND)
    return reward


@transactional
def add_reward(
    campaign_id: int,
    title: str,
    min_pledge_cents: int | None,
    description: str,
    quantity: int | None,
    actor: User,
    now: datetime,
) -> CampaignReward:
    """A reward at the end of the list; amounts in integer cents."""
    campaign = _open_campaign(campaign_id)
    fields = _reward_fields(title, min_pledge_cents, description, quantity)
    if len(campaign.rewards) >= REWARDS_MAX:
        raise DomainError(PreparationError.TOO_MANY_REWARDS, limit=REWARDS_MAX)
    position = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(CampaignReward.position), 0)).filter_by(campaign_id=campaign.id)
    )
    reward = CampaignReward(position=position + 1, **fields)
    campaign.rewards.append(reward)
    db.session.flush()
    _record(actor, "campaign.reward_add", campaign, now, {}, fields, reward_id=reward.id)
    return reward


@transactional
def edit_reward(
    campaign_id: int,
    reward_id: int,
    title: str,
    min_pledge_cents: int | None,
    description: str,
    quantity: int | None,
    actor: User,
    now: datetime,
) -> CampaignReward:
    campaign = _open_campaign(campaign_id)
    reward = _reward_of(campaign, reward_id)
    fields = _reward_fields(title, min_pledge_cents, description, quantity)
    before = {name: getattr(reward, name) for name in fields}
    for name, value in fields.items():
        setattr(reward, name, value)
    _record(actor, "campaign.reward_edit", campaign, now, before, fields, reward_id=reward.id)
    return reward


@transactional
def remove_reward(campaign_id: int, reward_id: int, actor: User, now: datetime) -> None:
    campaign = _open_campaign(campaign_id)
    reward = _reward_of(campaign, reward_id)
    campaign.rewards.remove(reward)
    before = {"title": reward.title, "min_pledge_cents": reward.min_pledge_cents}
    _record(actor, "campaign.reward_remove", campaign, now, before, dict.fromkeys(before), reward_id=reward.id)
