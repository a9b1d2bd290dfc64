"""A campaign's pledges for staff: by status, with their totals, and as a spreadsheet."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.clock import to_rome
from portal.domain.pledge import PledgeStatus
from portal.extensions import db
from portal.models import Campaign, Pledge

# The order staff read them in: what needs action first.
STATUS_ORDER = (
    PledgeStatus.PENDING,
    PledgeStatus.REFUND_DUE,
    PledgeStatus.CONFIRMED,
    PledgeStatus.REFUNDED,
    PledgeStatus.CANCELLED,
)


@dataclass(frozen=True)
class PledgeGroup:
    status: PledgeStatus
    pledges: list[Pledge]

    @property
    def total_cents(self) -> int:
        return sum(p.amount_cents for p in self.pledges)


def pledges_by_status(campaign: Campaign) -> list[PledgeGroup]:
    """Every pledge of the campaign in one query, grouped in `STATUS_ORDER`, oldest first."""
    pledges = db.session.scalars(
        sa.select(Pledge)
        .filter_by(campaign_id=campaign.id)
        .options(selectinload(Pledge.reward))
        .order_by(Pledge.created_at, Pledge.id)
    ).all()
    return [PledgeGroup(status, [p for p in pledges if p.status is status]) for status in STATUS_ORDER]


def euros(cents: int) -> str:
    """`123456` → "1234,56": a number for a spreadsheet with Italian settings."""
    return f"{cents // 100},{cents % 100:02d}"


def _moment(value) -> str:
    return to_rome(value).strftime("%Y-%m-%d %H:%M") if value else ""


def csv_rows(groups: list[PledgeGroup], status_labels: dict, via_labels: dict, anonymous: str) -> list[list[str]]:
    return [
        [
            p.reference,
            str(status_labels[p.status]),
            euros(p.amount_cents),
            p.name or anonymous,
            p.email,
            p.reward.title if p.reward else "",
            _moment(p.created_at),
            _moment(p.confirmed_at),
            str(via_labels[p.paid_via]) if p.paid_via else "",
            p.payment_id or "",
            _moment(p.cancelled_at),
            p.message or "",
        ]
        for group in groups
        for p in group.pledges
    ]
