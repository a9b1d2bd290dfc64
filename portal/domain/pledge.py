"""A citizen's pledge to a campaign, from the promise to the money in the bank."""

from __future__ import annotations

import enum


class PledgeStatus(enum.Enum):
    PENDING = "pending"  # promised: waiting for the transfer or the provider's payment
    CONFIRMED = "confirmed"  # the money arrived: counts toward the target
    CANCELLED = "cancelled"  # never paid before the campaign closed
    REFUND_DUE = "refund_due"  # paid, but the campaign was not funded: the money goes back


class PaidVia(enum.Enum):
    BANK = "bank"  # a bank transfer, confirmed by staff importing the statement
    PROVIDER = "provider"  # the payment provider's signed notification
