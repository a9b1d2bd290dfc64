"""Writing the audit log. Entries are added in the same transaction as the change they record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from portal.extensions import db
from portal.models import AuditEntry, User


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{"field": [before, after]} for the fields whose value changed."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


def record(
    actor: User,
    action: str,
    subject_type: str,
    subject_id: int | None,
    now: datetime,
    *,
    label: str = "",
    changes: dict[str, list[Any]] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        at=now,
        actor_id=actor.id,
        actor_email=actor.email,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=label[:300],
        changes=changes or {},
    )
    db.session.add(entry)
    return entry
