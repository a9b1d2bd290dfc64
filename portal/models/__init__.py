"""SQLAlchemy models, a module per aggregate. Importing this package registers them all."""

from portal.models.edition import Edition
from portal.models.event import Event, EventKind, Venue
from portal.models.registration import OutboxMessage, Registrant, Registration, ReminderSent

__all__ = ["Edition", "Event", "EventKind", "OutboxMessage", "Registrant", "Registration", "ReminderSent", "Venue"]
