"""The private preview link of a campaign before it is public: the team creates it, shares it with
its own network, revokes it or makes a new one (a new secret each time: the old link stops working
at once). Whoever holds the current link sees the campaign's page as it will look
(`Campaign.is_previewable_by`), a page nowhere listed and never stored by a cache.

The token is never written to the audit log: the log says that a link was made or revoked, not the
link itself (anyone reading the log could otherwise open it)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import orm

from portal.domain import DomainError
from portal.extensions import db
from portal.models import Campaign, User
from portal.services import audit
from portal.services.transaction import transactional

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 characters, 256 bits of chance
# What a token can look like (token_urlsafe's alphabet, within the column's 64 characters): anything
# else is no link, answered without asking the database (a NUL byte, 10 kB of text, another alphabet).
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")


class PreviewError(StrEnum):
    PUBLIC = "public"  # the campaign is public: its own page needs no preview
    NO_CAMPAIGN = "no_campaign"


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise DomainError(PreviewError.NO_CAMPAIGN)
    return campaign


def _record(actor: User, action: str, campaign: Campaign, now: datetime) -> None:
    audit.record(actor, action, "campaign", campaign.id, now, label=campaign.title)


@transactional
def create_preview_link(campaign_id: int, actor: User, now: datetime) -> str:
    """A new secret for the campaign's preview link, replacing the current one (which stops working);
    the token. Refused once the campaign is public (`PreviewError.PUBLIC`)."""
    campaign = _campaign(campaign_id)
    if campaign.is_public(now):
        raise DomainError(PreviewError.PUBLIC)
    renewed = campaign.preview_token is not None
    campaign.preview_token = secrets.token_urlsafe(TOKEN_BYTES)
    _record(actor, "campaign.preview_link_renewed" if renewed else "campaign.preview_link_created", campaign, now)
    return campaign.preview_token


@transactional
def revoke_preview_link(campaign_id: int, actor: User, now: datetime) -> bool:
    """No link any more: whoever had it gets "not found". False (and nothing recorded) when there
    was none."""
    campaign = _campaign(campaign_id)
    if campaign.preview_token is None:
        return False
    campaign.preview_token = None
    _record(actor, "campaign.preview_link_revoked", campaign, now)
    return True


def previewed_campaign(token: str, now: datetime) -> Campaign | None:
    """The campaign this link shows, found by the unique index on the token, with its edition: one
    the link's holder may preview (`Campaign.is_previewable_by`), or one that is public by now (the
    link then leads to its public page). None for an unknown or revoked link."""
    if not _TOKEN_SHAPE.fullmatch(token or ""):
        return None
    campaign = db.session.execute(
        sa.select(Campaign)
        .join(Campaign.edition)
        .options(orm.contains_eager(Campaign.edition))
        .where(Campaign.preview_token == token)
    ).scalar_one_or_none()
    if campaign is None:
        return None
    if campaign.is_previewable_by(token, now) or campaign.is_public(now):
        return campaign
    return None
