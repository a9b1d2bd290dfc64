"""The data version: one number that every committed change to the portal's data bumps.

HTTP validators (ETags) and the shared page cache key on it (portal/services/data_version.py),
so a cached page is never older than the last change.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class DataVersion(db.Model):
    __tablename__ = "data_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(sa.BigInteger)
