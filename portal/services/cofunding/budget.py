"""The co-funding budget's guard: the edition's row lock, taken by every change that could leave the
budget below what is reserved and committed (`portal.domain.cofunding.covers`).

Who takes it: selecting a project (`services.evaluation.selection`), committing a grant (the engine,
`match_funding.py`), staff setting the budget (`services.editions.edition_admin`) and moving an
unpublished campaign's window (`selection.update_campaign`). With the lock held, each reads the
ledger (`ledger.used_cents`) and asks the rule, so two of them can never both spend the same money.

Lock order, to avoid deadlocks: a path that locks a campaign too (a payment confirmation) locks the
campaign first (`services.campaigns.locking`), then the edition; no path locks a campaign while
holding the edition. SQLite ignores the lock (it serialises writers anyway); PostgreSQL honours it.
"""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.models import Edition


def locked_edition(edition_id: int) -> Edition:
    """The edition, its row locked until the transaction ends, and fresh from the database (a budget
    changed by the transaction that held the lock before is the one read)."""
    return db.session.execute(
        sa.select(Edition).filter_by(id=edition_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
