"""The campaign's row lock: every change to a campaign's totals, its grant or its closing takes it first."""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Campaign


def locked_campaign(campaign_id: int) -> Campaign:
    """The campaign, its row locked until the transaction ends (a no-op on SQLite, which
    serialises writers anyway), and fresh from the database."""
    campaign = db.session.execute(
        sa.select(Campaign).filter_by(id=campaign_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    return campaign
