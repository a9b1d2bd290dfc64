"""The portal's one clock.

Everything that depends on time (call open or closed, days left, an event's state)
asks `now()`. With `PORTAL_NOW` set, the portal lives at that instant: the demo shows
June 2020 and tests pin any moment they need.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app

ROME = ZoneInfo("Europe/Rome")


class ClockConfigError(ValueError):
    """PORTAL_NOW is not an ISO 8601 instant with an offset."""


def parse_fixed_now(value: str) -> datetime:
    """Parse PORTAL_NOW; a naive value is refused, because "10:00" alone is ambiguous."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ClockConfigError(f"PORTAL_NOW={value!r} is not an ISO 8601 date-time") from exc
    if moment.tzinfo is None:
        raise ClockConfigError(f"PORTAL_NOW={value!r} needs an offset, e.g. +02:00")
    return moment.astimezone(UTC)


def fixed_now() -> datetime | None:
    """The simulated instant, or None when the portal runs on real time."""
    value = current_app.config.get("PORTAL_NOW")
    return parse_fixed_now(value) if value else None


def now() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return fixed_now() or datetime.now(UTC)


def to_rome(moment: datetime) -> datetime:
    return moment.astimezone(ROME)
