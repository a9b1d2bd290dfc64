"""What a provider says of a refund (``REFUNDED``, ``REFUND_FAILED``), called by
`provider_events.record_notification` inside its transaction, after the event id is claimed.

The refund is found by the provider's refund id, or by the payment it gives back (a notification
may arrive before the portal has recorded the provider's answer), and `services.payments.refunds`
does the rest: a refund done marks its pledge refunded and tells the supporter, once (a REFUNDED
notification for a refund already done changes nothing); a failure is recorded and asked again
after the rule's pause; a refund the portal has no record of is for staff.
"""

from __future__ import annotations

from datetime import datetime

from portal.services.payments import refunds
from portal.services.payments.payments import PaymentOutcome
from portal.services.payments.providers.base import EventKind, Notification


def record_refund_event(notification: Notification, now: datetime) -> PaymentOutcome:
    """``REFUNDED``, ``REFUND_FAILED``, ``IGNORED`` (a refund already done) or ``UNKNOWN_REFUND``."""
    if notification.kind is EventKind.REFUNDED:
        return refunds.refund_confirmed(notification.refund_id, notification.payment_id, now)
    return refunds.refund_failed(notification.refund_id, notification.payment_id, now)
