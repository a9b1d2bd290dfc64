"""The SEPA credit transfer file (pain.001.001.03) that pays back supporters who paid by bank transfer.

Staff download it for the bank: every bank-transfer refund due with an IBAN goes in one batch, once
(the refunds' rows are locked and marked requested with the batch, in one transaction: a second
download at the same moment finds none left). The file is written by sepaxml and checked against
the pain.001.001.03 XSD it ships (ISO 20022, sepaxml's `schemas/`); a batch's file can be
downloaded again, the same message with the same refunds. When the bank confirms the transfers,
staff mark the batch done: each refund done, each pledge refunded, each supporter told.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from functools import cache

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from portal.clock import to_rome
from portal.domain import DomainError
from portal.extensions import db
from portal.models import Pledge, Refund, RefundRoute, RefundStatus, SepaBatch, User
from portal.services import audit
from portal.services.payments.refunds import mark_done
from portal.services.transaction import transactional

SCHEMA = "pain.001.001.03"
END_TO_END_PREFIX = "CCRIMB"  # + the refund's id: what the bank statement shows back


class SepaError(StrEnum):
    NOTHING_DUE = "nothing_due"  # no bank-transfer refund waits with an IBAN
    UNKNOWN_BATCH = "unknown_batch"
    NOTHING_TO_MARK = "nothing_to_mark"  # the batch's transfers are all marked done already


@cache
def _transfer_class() -> type:
    """The class of `_transfer`, made on first use: sepaxml is loaded by the first SEPA file, not by
    every worker."""
    from sepaxml import SepaTransfer

    class Transfer(SepaTransfer):
        def __init__(self, config: dict, message_id: str, created_at: datetime) -> None:
            self._message_id = message_id
            self._created_at = created_at
            super().__init__(config, schema=SCHEMA, clean=True)

        def _create_header(self) -> None:
            self.msg_id = self._message_id
            super()._create_header()
            header = self._xml.find("CstmrCdtTrfInitn/GrpHdr")
            header.find("CreDtTm").text = to_rome(self._created_at).strftime("%Y-%m-%dT%H:%M:%S")

        def _finalize_batch(self) -> None:
            super()._finalize_batch()
            for number, node in enumerate(self._xml.iter("PmtInfId"), start=1):  # sepaxml's are random
                node.text = f"{self._message_id}-{number}"[-35:]

    return Transfer


def _transfer(config: dict, message_id: str, created_at: datetime):
    """sepaxml's transfer with the batch's own message and payment ids and creation time (sepaxml
    draws random ids and reads the machine's clock), so a batch downloaded again is the same message."""
    return _transfer_class()(config, message_id, created_at)


def _message_id(now: datetime) -> str:
    """Unique per message, as the bank asks: the moment and a random part (33 characters; at most 35)."""
    return f"CC-RIMBORSI-{to_rome(now):%Y%m%d%H%M%S}-{secrets.token_hex(3).upper()}"


def end_to_end_id(refund: Refund) -> str:
    return f"{END_TO_END_PREFIX}{refund.id:010d}"


@transactional
def create_batch(actor: User, now: datetime) -> SepaBatch:
    """A batch of every bank-transfer refund due with an IBAN, each marked requested in it.

    Refused with ``DomainError(SepaError.NOTHING_DUE)`` when there is none. The rows are locked
    and read again after the lock, so two downloads at once never put a refund in two files."""
    refunds = db.session.scalars(
        sa.select(Refund)
        .where(
            Refund.route == RefundRoute.BANK_TRANSFER,
            Refund.status == RefundStatus.DUE,
            Refund.iban.is_not(None),
            Refund.sepa_batch_id.is_(None),
        )
        .order_by(Refund.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    refunds = [r for r in refunds if r.status is RefundStatus.DUE and r.sepa_batch_id is None]
    if not refunds:
        raise DomainError(SepaError.NOTHING_DUE)
    batch = SepaBatch(
        message_id=_message_id(now),
        created_at=now,
        created_by_id=actor.id,
        total_cents=sum(r.amount_cents for r in refunds),
        count=len(refunds),
    )
    db.session.add(batch)
    db.session.flush()
    for refund in refunds:
        refund.sepa_batch = batch
        refund.status = RefundStatus.REQUESTED
        refund.requested_at = now
        refund.attempts += 1
        refund.external_id = end_to_end_id(refund)
    batch_file(batch)  # a file the XSD refuses stops the batch before anything is stored
    audit.record(
        actor,
        "refund.sepa_batch",
        "sepa_batch",
        batch.id,
        now,
        label=batch.message_id,
        changes={"refunds": [None, batch.count], "total_cents": [None, batch.total_cents]},
    )
    return batch


def batch_refunds(batch: SepaBatch) -> list[Refund]:
    return list(
        db.session.scalars(
            sa.select(Refund)
            .filter_by(sepa_batch_id=batch.id)
            .options(selectinload(Refund.pledge).selectinload(Pledge.campaign))
            .order_by(Refund.id)
        )
    )


def batch_file(batch: SepaBatch) -> bytes:
    """The batch's pain.001.001.03, validated against its XSD (sepaxml raises if it does not)."""
    config = current_app.config
    debtor = {
        "name": config["PLEDGE_BENEFICIARY"],
        "IBAN": "".join(config["PLEDGE_IBAN"].split()).upper(),
        "batch": True,
        "currency": "EUR",
    }
    if config.get("PLEDGE_BIC"):
        debtor["BIC"] = config["PLEDGE_BIC"]
    transfer = _transfer(debtor, batch.message_id, batch.created_at)
    execution_date = to_rome(batch.created_at).date()
    for refund in batch_refunds(batch):
        pledge = refund.pledge
        transfer.add_payment(
            {
                "name": refund.account_holder,
                "IBAN": refund.iban,
                "amount": refund.amount_cents,
                "execution_date": execution_date,
                "description": f"Rimborso sostegno {pledge.reference} - {pledge.campaign.title}",
                "endtoend_id": refund.external_id,
            }
        )
    return transfer.export(validate=True)


def batch_filename(batch: SepaBatch) -> str:
    return f"{batch.message_id}.xml"


def recent_batches(limit: int = 20) -> list[SepaBatch]:
    return list(
        db.session.scalars(
            sa.select(SepaBatch)
            .options(selectinload(SepaBatch.refunds))
            .order_by(SepaBatch.created_at.desc(), SepaBatch.id.desc())
            .limit(limit)
        )
    )


@transactional
def mark_batch_done(batch_id: int, actor: User, now: datetime) -> int:
    """The bank executed the batch's transfers: each refund still requested is done, its pledge
    refunded, its supporter told. Returns how many; marking again changes nothing."""
    batch = db.session.get(SepaBatch, batch_id)
    if batch is None:
        raise DomainError(SepaError.UNKNOWN_BATCH)
    refunds = db.session.scalars(
        sa.select(Refund)
        .filter_by(sepa_batch_id=batch.id)
        .order_by(Refund.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    requested = [r for r in refunds if r.status is RefundStatus.REQUESTED]
    if not requested:
        raise DomainError(SepaError.NOTHING_TO_MARK)
    for refund in requested:
        mark_done(refund, now)
    audit.record(
        actor,
        "refund.sepa_done",
        "sepa_batch",
        batch.id,
        now,
        label=batch.message_id,
        changes={"refunds_done": [None, len(requested)]},
    )
    return len(requested)
