"""The co-funding ledger of an edition, read from the database at a given moment.

One place computes where the budget stands (`portal.domain.cofunding` has the rules), so
the public tracker and the selection of projects in the back-office always agree. Two
queries whatever the number of campaigns: the edition's campaigns, and the selected
projects not launched yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal.domain.application import ApplicationStatus
from portal.domain.campaign import CampaignState
from portal.domain.cofunding import BudgetPosition, Share, share_of, total
from portal.domain.funding import MoneyPicture, money_of
from portal.extensions import db
from portal.models import Application, Campaign, Edition


@dataclass(frozen=True)
class CampaignLine:
    campaign: Campaign
    state: CampaignState
    share: Share

    @property
    def money(self) -> MoneyPicture:
        """The campaign's money as every page tells it (portal.domain.funding)."""
        return money_of(self.campaign, self.state)


@dataclass(frozen=True)
class AreaLine:
    """A Municipio (None: not given) and the shares of its projects."""

    municipio: int | None
    projects: int
    share: Share


@dataclass(frozen=True)
class Ledger:
    edition: Edition
    at: datetime
    position: BudgetPosition
    campaigns: list[CampaignLine]  # published by `at`, in the order of the tracker's table
    not_public: Share  # selected projects whose campaign is not public yet
    not_public_count: int
    areas: list[AreaLine]  # by Municipio number, "not given" last

    @property
    def goal_cents(self) -> int:
        return sum(line.campaign.goal_cents for line in self.campaigns)

    @property
    def target_cents(self) -> int:
        return sum(line.campaign.target_cents for line in self.campaigns)

    @property
    def raised_cents(self) -> int:
        return sum(line.campaign.confirmed_cents for line in self.campaigns)

    @property
    def project_count(self) -> int:
        return len(self.campaigns) + self.not_public_count


def campaign_share(campaign: Campaign, now: datetime) -> Share:
    """A campaign's reserve: committed with its grant, released once its window ended without it."""
    grant = campaign.grant_cents if campaign.grant_committed else None
    return share_of(campaign.reserved_cents, grant, window_ended=now >= campaign.ends_at)


def _campaigns(edition: Edition) -> list[Campaign]:
    """Fresh from the database: read under the edition's lock, the ledger counts what the transaction
    that held it before committed, even for a campaign this session loaded earlier."""
    return list(
        db.session.scalars(
            sa.select(Campaign)
            .where(Campaign.edition_id == edition.id)
            .order_by(Campaign.starts_at, Campaign.title)
            .execution_options(populate_existing=True)
        )
    )


def _selected_not_launched(edition: Edition) -> list[tuple[int | None, int]]:
    """(Municipio, reserve) of every selected project that has no campaign yet."""
    launched = sa.select(Campaign.id).where(Campaign.application_id == Application.id).exists()
    rows = db.session.execute(
        sa.select(Application.municipio, Application.reserved_cents).where(
            Application.edition_id == edition.id, Application.status == ApplicationStatus.SELECTED, ~launched
        )
    )
    return [(municipio, reserved or 0) for municipio, reserved in rows]


def ledger_of(edition: Edition, now: datetime) -> Ledger:
    """Where the edition's budget stands at `now`, per campaign and per Municipio."""
    lines: list[CampaignLine] = []
    hidden: list[Share] = []
    by_area: dict[int | None, list[Share]] = defaultdict(list)
    for campaign in _campaigns(edition):
        share = campaign_share(campaign, now)
        by_area[campaign.municipio].append(share)
        if campaign.is_public(now):
            lines.append(CampaignLine(campaign, campaign.state(now), share))
        else:
            hidden.append(share)
    for municipio, reserve in _selected_not_launched(edition):
        share = share_of(reserve, None, window_ended=False)
        by_area[municipio].append(share)
        hidden.append(share)
    everything = total(line.share for line in lines) + total(hidden)
    areas = [
        AreaLine(municipio, len(by_area[municipio]), total(by_area[municipio]))
        for municipio in sorted(by_area, key=lambda m: (m is None, m or 0))
    ]
    return Ledger(
        edition=edition,
        at=now,
        position=BudgetPosition(edition.budget_cents, everything),
        campaigns=lines,
        not_public=total(hidden),
        not_public_count=len(hidden),
        areas=areas,
    )


def used_cents(edition: Edition, now: datetime) -> int:
    """What the edition's budget cannot give to a new selection: reserves held and grants committed."""
    return ledger_of(edition, now).position.share.used_cents
