"""A citizen's pledge to a campaign, from the promise to the money in the bank."""

from __future__ import annotations

import enum


class PledgeStatus(enum.Enum):
    PENDING = "pending"  # promised: waiting for the transfer or the provider's payment
    CONFIRMED = "confirmed"  # the money arrived: counts toward the target
    CANCELLED = "cancelled"  # never paid before the campaign closed
    REFUND_DUE = "refund_due"  # paid, but the campaign was not funded: the money goes back
    REFUNDED = "refunded"  # paid, and the money went back to the supporter
    EXPIRED = "expired"  # a card checkout abandoned: never paid, its reward released

    @property
    def awaits_payment(self) -> bool:
        return self is PledgeStatus.PENDING

    @property
    def counts_toward_target(self) -> bool:
        """Paid, and the money stays with the campaign."""
        return self is PledgeStatus.CONFIRMED

    @property
    def is_paid(self) -> bool:
        """The money arrived, whether it stays with the campaign or goes back to the supporter:
        these supporters are listed on the campaign's page."""
        return self in PAID_STATUSES

    @property
    def is_refund_due(self) -> bool:
        return self is PledgeStatus.REFUND_DUE

    @property
    def is_cancelled(self) -> bool:
        return self is PledgeStatus.CANCELLED


# For a query: the statuses whose `is_paid` is true.
PAID_STATUSES = frozenset({PledgeStatus.CONFIRMED, PledgeStatus.REFUND_DUE, PledgeStatus.REFUNDED})


class PaymentMethod(enum.Enum):
    """How the supporter chose to pay."""

    BANK_TRANSFER = "bank_transfer"  # instructions, a reference, the statement import
    CARD = "card"  # a provider's hosted checkout (cards and the wallets the account enables)


class PaidVia(enum.Enum):
    BANK = "bank"  # a bank transfer, confirmed by staff importing the statement
    PROVIDER = "provider"  # the payment provider's signed notification
