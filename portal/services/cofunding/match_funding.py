"""The match-funding engine: the Comune's grant, committed once when a campaign's confirmed
total reaches its target within the window, never more than was reserved for it.

`portal.domain.campaign.grant_to_commit` is the rule; this is where it is applied, inside the
transaction that confirmed a payment, with the campaign's row already locked
(`portal.services.campaigns.locking`). A grant due is then checked against the budget under the
edition's row lock (`budget.py`; campaign first, edition second, as every path locks them), so it
never takes the budget below what is reserved and committed (`domain.cofunding.grant_within_budget`).
The ledger (`ledger.py`) reads what it committed.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from portal.domain.campaign import grant_to_commit
from portal.domain.cofunding import grant_within_budget
from portal.domain.following import NewsKind
from portal.extensions import db
from portal.models import Campaign, Edition
from portal.services.campaigns import campaign_mail, following
from portal.services.cofunding import ledger
from portal.services.cofunding.budget import locked_edition
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
        grant = _within_budget(campaign, grant, now)
    if grant:
        campaign.grant_cents = grant
        campaign.grant_committed_at = now
        campaign_mail.queue_grant_committed(campaign, now)
        following.announce(campaign.id, NewsKind.THRESHOLD, now)
    return grant


def _within_budget(campaign: Campaign, grant: int, now: datetime) -> int:
    """The part of the grant the budget covers, read under the edition's lock (taken only when a grant
    is due, so payments do not queue on the edition's row). All of it unless the budget was cut
    below the campaign's reserve meanwhile; then the team finds the shortfall in the log."""
    edition = locked_edition(campaign.edition_id)
    others = ledger.used_cents(edition, now) - ledger.campaign_share(campaign, now).used_cents
    allowed = grant_within_budget(grant, edition.budget_cents, others)
    if allowed < grant:
        current_app.logger.warning(
            "grant of campaign %s cut from %s to %s cents: the budget of edition %s covers no more",
            campaign.id,
            grant,
            allowed,
            edition.year,
        )
    return allowed
