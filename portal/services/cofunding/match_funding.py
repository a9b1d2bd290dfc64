"""The match-funding engine: the Comune's grant, committed once when a campaign's confirmed
total reaches its target within the window, never more than was reserved for it.

`portal.domain.campaign.grant_to_commit` is the rule; this is where it is applied, inside the
transaction that confirmed a payment, with the campaign's row already locked
(`portal.services.campaigns.locking`). The ledger (`ledger.py`) reads what it committed.
"""

from __future__ import annotations

from datetime import datetime

from portal.domain.campaign import grant_to_commit
from portal.extensions import db
from portal.models import Campaign, Edition
from portal.services.campaigns import campaign_mail
from portal.services.transaction import transactional


@transactional
def commit_grant_if_due(campaign: Campaign, now: datetime) -> int:
    """The match-funding engine: the grant, committed once, within what was reserved."""
    edition = db.session.get(Edition, campaign.edition_id)
    if not edition.has_match_rule:
        return 0
    grant = grant_to_commit(
        edition.match_rule,
        goal_cents=campaign.goal_cents,
        reserved_cents=campaign.reserved_cents,
        confirmed_cents=campaign.confirmed_cents,
        already_committed=campaign.grant_committed,
        now=now,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        target_cents=campaign.target_cents,  # fixed at launch: a later change of the rule never moves it
    )
    if grant:
        campaign.grant_cents = grant
        campaign.grant_committed_at = now
        campaign_mail.queue_grant_committed(campaign, now)
    return grant
