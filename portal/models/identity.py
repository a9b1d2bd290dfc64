"""What signing in with SPID or CIE keeps: each assertion's ID until it expires, so none is used twice."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import UTCDateTime


class UsedAssertion(db.Model):
    """An assertion an identity provider issued and the portal accepted: claimed once (the unique ID,
    inserted in the sign-in's transaction), kept until its NotOnOrAfter, after which it would be
    refused as expired anyway."""

    __tablename__ = "used_assertion"

    id: Mapped[int] = mapped_column(primary_key=True)
    assertion_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    idp: Mapped[str] = mapped_column(sa.String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
