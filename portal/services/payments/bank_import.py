"""Bank statements staff import to confirm the pledges paid by transfer: preview, then apply.

Between the preview and the confirmation the uploaded file waits in ``UPLOAD_DIR/estratti``
under a random name (a shared volume when several app servers run); the page carries its
name and SHA-256 in a signed field, so the session stays small and the file cannot be
swapped. On confirmation the file is read and matched again, because pledges may have been
paid, cancelled or imported in the meantime: only rows that still match are applied.
The file is then deleted (it holds payers' names); one never confirmed is deleted a day later.

Applying commits row by row: each row's confirmation, the grant it may commit and its
`BankTransaction` (unique by the bank's transaction id) in one transaction, under the
campaign's row lock. A long statement never holds a lock for long, concurrent imports and
provider notifications never count a pledge twice, and an import cut short is finished by
importing the same file again (what was applied is recognised as already imported).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from portal.domain import DomainError
from portal.domain.bank_statement import (
    MatchReport,
    Statement,
    StatementError,
    StatementRow,
    match_rows,
    parse_statement,
)
from portal.domain.pledge import PaidVia, PledgeStatus
from portal.extensions import db
from portal.models import AuditEntry, BankTransaction, Campaign, Pledge, User
from portal.services import audit, uploads
from portal.services.payments import payments
from portal.services.payments.payments import PaymentOutcome
from portal.services.transaction import own_transaction

FOLDER = "estratti"
KEEP_FOR = timedelta(days=1)
_KEY = re.compile(r"[0-9a-f]{32}")
_CHUNK = 500  # values per IN (...): well within every database's limit on parameters


class BankImportError(StrEnum):
    EXPIRED = "expired"  # the preview's file is gone, changed, or its token forged or too old


# --- the file between preview and confirmation ---------------------------------------


@dataclass(frozen=True)
class StoredStatement:
    key: str
    sha256: str
    filename: str


def _folder() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="bank-statement")


def store(content: bytes, filename: str | None, matched: Iterable[str]) -> tuple[StoredStatement, str]:
    """Keep the file for the confirmation, under a random name, with the transaction ids of the rows
    the preview showed as matched; the stored file and the signed token for the page. The name it
    was uploaded with is only shown (on the pages and in the audit log), cleaned like an attachment's."""
    _sweep()
    name = uploads.display_name(filename, suffix=".csv", fallback="estratto-conto")
    stored = StoredStatement(secrets.token_hex(16), hashlib.sha256(content).hexdigest(), name)
    uploads.write_whole(_folder() / stored.key, content)
    uploads.write_whole(_folder() / f"{stored.key}.json", json.dumps(sorted(matched)).encode())
    token = _serializer().dumps({"key": stored.key, "sha256": stored.sha256, "name": stored.filename})
    return stored, token


def load(token: str) -> tuple[StoredStatement, bytes]:
    """The file a preview page names; ``DomainError(BankImportError.EXPIRED)`` when the token is forged or
    older than a day, or the file is gone (already confirmed) or changed."""
    try:
        data = _serializer().loads(token, max_age=int(KEEP_FOR.total_seconds()))
        stored = StoredStatement(data["key"], data["sha256"], data["name"])
    except (BadData, KeyError, TypeError):
        raise DomainError(BankImportError.EXPIRED) from None
    path = _folder() / stored.key
    if not _KEY.fullmatch(stored.key) or not path.is_file():
        raise DomainError(BankImportError.EXPIRED)
    content = path.read_bytes()
    if hashlib.sha256(content).hexdigest() != stored.sha256:
        raise DomainError(BankImportError.EXPIRED)
    return stored, content


def discard(stored: StoredStatement) -> None:
    (_folder() / stored.key).unlink(missing_ok=True)
    (_folder() / f"{stored.key}.json").unlink(missing_ok=True)


def _matched_at_preview(stored: StoredStatement) -> set[str]:
    try:
        return set(json.loads((_folder() / f"{stored.key}.json").read_text()))
    except (OSError, ValueError):
        return set()


def _sweep() -> None:
    """Delete the files of previews nobody confirmed."""
    limit = time.time() - KEEP_FOR.total_seconds()
    for path in _folder().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:  # another server swept it first
            pass


# --- preview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    statement: Statement
    report: MatchReport
    pledges: dict[str, Pledge]  # every pledge the file names, by reference
    campaigns: dict[int, Campaign]

    @property
    def incoming(self) -> int:
        return len(self.statement.rows)

    @property
    def nothing_new(self) -> bool:
        """Every incoming row was imported before: the same file again."""
        return bool(self.statement.rows) and len(self.report.already_imported) == len(self.statement.rows)

    @property
    def already_done(self) -> bool:
        """Nothing to confirm because the rows that paid pledges were imported before (the same
        file again, the other rows being ones that never confirm anything)."""
        return not self.report.matched and bool(self.report.already_imported)


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    values = list(values)
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def preview(content: bytes) -> Preview:
    """Read the file (``DomainError`` from `parse_statement` when it cannot be read at all) and
    match its rows with the pending pledges and the transactions already imported."""
    if b"\x00" in content:  # a spreadsheet, a PDF, UTF-16 text: nothing a CSV in UTF-8 holds
        raise DomainError(StatementError.NOT_UTF8)
    statement = parse_statement(content)
    references = {row.reference for row in statement.rows if row.reference}
    pledges: dict[str, Pledge] = {}
    for chunk in _chunks(references):
        pledges.update(
            (p.reference, p)
            for p in db.session.scalars(
                sa.select(Pledge).where(Pledge.reference.in_(chunk)).execution_options(populate_existing=True)
            )
        )
    imported: set[str] = set()
    for chunk in _chunks(row.transaction_id for row in statement.rows):
        imported.update(
            db.session.scalars(
                sa.select(BankTransaction.transaction_id).where(BankTransaction.transaction_id.in_(chunk))
            )
        )
    pending = {ref: p.amount_cents for ref, p in pledges.items() if p.status is PledgeStatus.PENDING}
    campaign_ids = {p.campaign_id for p in pledges.values()}
    campaigns = (
        {c.id: c for c in db.session.scalars(sa.select(Campaign).where(Campaign.id.in_(campaign_ids)))}
        if campaign_ids
        else {}
    )
    return Preview(statement, match_rows(statement.rows, pending, imported), pledges, campaigns)


# --- applying --------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """A row that confirmed a pledge, as plain values (the objects expire at each commit)."""

    line: int
    reference: str
    amount_cents: int
    supporter: str | None  # None: anonymous
    campaign_id: int
    campaign_title: str
    grant_cents: int  # committed by this payment


@dataclass
class ImportResult:
    filename: str
    preview: Preview
    applied: list[Applied] = field(default_factory=list)
    # Rows that matched when the page was shown but not any more: (row, outcome).
    changed: list[tuple[StatementRow, PaymentOutcome]] = field(default_factory=list)
    audit_entry_id: int | None = None

    @property
    def grants(self) -> list[Applied]:
        return [row for row in self.applied if row.grant_cents]


def apply(stored: StoredStatement, content: bytes, actor: User, now: datetime) -> ImportResult:
    """Confirm every row that still matches, one transaction each; record the import in the
    audit log; delete the file. ``DomainError`` if the file can no longer be read."""
    current = preview(content)
    result = ImportResult(stored.filename, current)
    titles = {campaign_id: campaign.title for campaign_id, campaign in current.campaigns.items()}
    # A batch that commits row by row (`_apply_row`): a payment confirmed stays confirmed whatever
    # happens to the rows after it, and each campaign's row is locked only while its row is applied.
    for row in current.report.matched:
        outcome = _apply_row(row, actor, now, result, titles)
        if outcome != PaymentOutcome.CONFIRMED:
            result.changed.append((row, outcome))
    # Rows the preview showed as matched that no longer match (paid meanwhile, say).
    expected = _matched_at_preview(stored) - {row.transaction_id for row in current.report.matched}
    result.changed.extend((row, outcome) for row, outcome in _unmatched(current) if row.transaction_id in expected)
    result.changed.sort(key=lambda change: change[0].line)
    report = current.report
    unmatched = len(report.amount_mismatch) + len(report.unknown_reference) + len(report.no_reference)
    with own_transaction():
        entry = audit.record(
            actor,
            "payments.import",
            "bank_statement",
            None,
            now,
            label=f"{stored.filename} (SHA-256 {stored.sha256[:12]}…)",
            changes={
                "statement_rows": [None, current.incoming],
                "payments_confirmed": [None, len(result.applied)],
                "rows_to_check": [None, unmatched + len(result.changed)],
                "rows_already_imported": [None, len(report.already_imported)],
                "lines_unreadable": [None, len(current.statement.errors)],
            },
        )
    result.audit_entry_id = entry.id
    discard(stored)
    return result


def _unmatched(current: Preview) -> Iterator[tuple[StatementRow, PaymentOutcome]]:
    """Every row that confirms nothing, with the reason."""
    report = current.report
    yield from ((row, PaymentOutcome.ALREADY_IMPORTED) for row in report.already_imported)
    yield from ((mismatch.row, PaymentOutcome.AMOUNT_MISMATCH) for mismatch in report.amount_mismatch)
    for row in report.unknown_reference:
        known = row.reference in current.pledges
        yield row, PaymentOutcome.NOT_PENDING if known else PaymentOutcome.UNKNOWN_REFERENCE


def _apply_row(
    row: StatementRow, actor: User, now: datetime, result: ImportResult, titles: dict[int, str]
) -> PaymentOutcome:
    """One row in its own transaction, committed before the next row starts."""
    try:
        with own_transaction():
            outcome, applied = _confirm_row(row, actor, now, titles)
    except IntegrityError:  # the same transaction id committed by another import meanwhile: rolled back
        return PaymentOutcome.ALREADY_IMPORTED
    if applied is not None:
        result.applied.append(applied)
    return outcome


def _confirm_row(
    row: StatementRow, actor: User, now: datetime, titles: dict[int, str]
) -> tuple[PaymentOutcome, Applied | None]:
    """Confirm the row's pledge and record the bank transaction; nothing is written unless confirmed."""
    if db.session.scalar(sa.select(BankTransaction.id).filter_by(transaction_id=row.transaction_id)) is not None:
        return PaymentOutcome.ALREADY_IMPORTED, None
    confirmation = payments.confirm_payment(row.reference, row.amount_cents, PaidVia.BANK, row.transaction_id, now)
    if confirmation.outcome != PaymentOutcome.CONFIRMED:
        pledge = confirmation.pledge
        # Paid by this very row through an import running at the same time.
        same_row = pledge is not None and pledge.paid_via is PaidVia.BANK and pledge.payment_id == row.transaction_id
        return (PaymentOutcome.ALREADY_IMPORTED if same_row else confirmation.outcome), None
    pledge = confirmation.pledge
    applied = Applied(
        row.line,
        pledge.reference,
        pledge.amount_cents,
        pledge.name,
        pledge.campaign_id,
        titles.get(pledge.campaign_id, ""),
        confirmation.grant_cents,
    )
    db.session.add(
        BankTransaction(
            transaction_id=row.transaction_id,
            booked_on=row.booked_on,
            amount_cents=row.amount_cents,
            pledge_id=pledge.id,
            imported_at=now,
            imported_by_id=actor.id,
        )
    )
    return PaymentOutcome.CONFIRMED, applied


def recent_imports(limit: int = 10) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .filter_by(action="payments.import")
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )
