"""SQLAlchemy models, a module per aggregate. Importing this package registers them all."""

from portal.models.edition import Edition
from portal.models.event import Event, EventKind, Venue
from portal.models.registration import OutboxMessage, Registrant, Registration

__all__ = ["Edition", "Event", "EventKind", "OutboxMessage", "Registrant", "Registration", "Venue"]
