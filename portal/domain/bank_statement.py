"""Bank statements that staff import to confirm pledges paid by bank transfer.

The file the portal accepts (export it from home banking, or build it in a spreadsheet):

* CSV in UTF-8, with or without a byte-order mark; at most `MAX_BYTES` bytes and
  `MAX_ROWS` rows of transactions.
* The first line names the columns, in any order and any case; other columns are
  ignored. The delimiter is ``;`` if that line contains one, otherwise ``,``.
  Cells holding the delimiter must be quoted (``"1.234,56"`` in a comma file).
* ``data``: the booking date, ``dd/mm/yyyy`` (``1/6/2020`` is read too).
* ``importo``: the amount in euros, Italian ``1.234,56`` or plain ``1234.56`` (as
  `parse_euros` reads it), ``-`` in front for money going out, ``+`` allowed.
* ``causale``: the transfer's description, where the payer wrote the payment reference.
* ``id_movimento``: the bank's id of the transaction, unique in the bank's books.

Blank lines are ignored. Outgoing transactions are skipped; a line that cannot be read
(wrong number of cells, bad date or amount, no transaction id, several references) is
reported with its line number and a reason, never guessed. The same transaction id
twice in a file is reported on its second line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Container, Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from portal.domain import DomainError
from portal.domain.money import parse_euros
from portal.domain.payment_reference import find_references

COLUMNS = ("data", "importo", "causale", "id_movimento")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000

_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


class StatementError(StrEnum):
    """Why a whole file is refused."""

    TOO_LARGE = "too_large"
    TOO_MANY_ROWS = "too_many_rows"
    NOT_UTF8 = "not_utf8"
    EMPTY = "empty"
    MISSING_COLUMNS = "missing_columns"
    DUPLICATE_COLUMN = "duplicate_column"
    MALFORMED_CSV = "malformed_csv"


class LineProblem(StrEnum):
    """Why a line is not an incoming transfer."""

    WRONG_COLUMN_COUNT = "wrong_column_count"
    BAD_DATE = "bad_date"
    BAD_AMOUNT = "bad_amount"
    MISSING_TRANSACTION_ID = "missing_transaction_id"
    SEVERAL_REFERENCES = "several_references"
    DUPLICATE_TRANSACTION_ID = "duplicate_transaction_id"
    OUTGOING = "outgoing"  # money going out: skipped, not an error


@dataclass(frozen=True)
class StatementRow:
    """An incoming transfer (amount above zero)."""

    line: int
    booked_on: date
    amount_cents: int
    reference: str | None  # canonical, None when the description holds none
    transaction_id: str
    description: str


@dataclass(frozen=True)
class LineIssue:
    line: int
    code: LineProblem
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Statement:
    rows: tuple[StatementRow, ...]
    errors: tuple[LineIssue, ...]  # lines that could not be read
    skipped: tuple[LineIssue, ...]  # outgoing transactions, code `LineProblem.OUTGOING`


def parse_statement(data: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Statement:
    """Read a statement in the documented format (see the module's docstring).

    The whole file is refused with ``DomainError`` and a `StatementError` when it is too
    large (``TOO_LARGE``, ``TOO_MANY_ROWS``), not UTF-8 (``NOT_UTF8``), empty (``EMPTY``),
    its header lacks a column (``MISSING_COLUMNS``) or names one twice (``DUPLICATE_COLUMN``),
    or it is not CSV (``MALFORMED_CSV``); otherwise every line is a row, an error (a
    `LineProblem`) or skipped.
    """
    records = _records(_decode(data, max_bytes))
    header = next(records, None)
    if header is None:
        raise DomainError(StatementError.EMPTY)
    width, positions = len(header[1]), _positions(header[1])
    rows: list[StatementRow] = []
    errors: list[LineIssue] = []
    skipped: list[LineIssue] = []
    first_line_of: dict[str, int] = {}
    for count, (line, cells) in enumerate(records, start=1):
        if count > max_rows:
            raise DomainError(StatementError.TOO_MANY_ROWS, max_rows=max_rows)
        try:
            row = _row(line, cells, width, positions)
        except DomainError as problem:
            issue = LineIssue(line, LineProblem(problem.code), problem.params)
            (skipped if issue.code == LineProblem.OUTGOING else errors).append(issue)
            continue
        first_line = first_line_of.setdefault(row.transaction_id, line)
        if first_line == line:
            rows.append(row)
        else:
            errors.append(LineIssue(line, LineProblem.DUPLICATE_TRANSACTION_ID, {"first_line": first_line}))
    return Statement(tuple(rows), tuple(errors), tuple(skipped))


def _decode(data: bytes, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise DomainError(StatementError.TOO_LARGE, max_bytes=max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError(StatementError.NOT_UTF8) from None


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """The cells of every record that is not blank, with the line it starts on."""
    delimiter = ";" if ";" in text.lstrip().partition("\n")[0] else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, cells
    except csv.Error:
        raise DomainError(StatementError.MALFORMED_CSV, line=end + 1) from None


def _positions(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise DomainError(StatementError.MISSING_COLUMNS, columns=missing)
    for column in COLUMNS:
        if names.count(column) > 1:
            raise DomainError(StatementError.DUPLICATE_COLUMN, column=column)
    return {column: names.index(column) for column in COLUMNS}


def _row(line: int, cells: list[str], width: int, positions: Mapping[str, int]) -> StatementRow:
    """An incoming transfer; raises ``DomainError`` with the `LineProblem` a line is not one
    (``OUTGOING`` for money going out, which is skipped rather than an error)."""
    if len(cells) != width:
        raise DomainError(LineProblem.WRONG_COLUMN_COUNT, expected=width, found=len(cells))
    value = {column: cells[index].strip() for column, index in positions.items()}
    amount_cents = _signed_cents(value["importo"])
    if amount_cents < 0:
        raise DomainError(LineProblem.OUTGOING, amount_cents=amount_cents)
    if not value["id_movimento"]:
        raise DomainError(LineProblem.MISSING_TRANSACTION_ID)
    references = find_references(value["causale"])
    if len(references) > 1:
        raise DomainError(LineProblem.SEVERAL_REFERENCES, references=references)
    return StatementRow(
        line=line,
        booked_on=_booking_date(value["data"]),
        amount_cents=amount_cents,
        reference=references[0] if references else None,
        transaction_id=value["id_movimento"],
        description=value["causale"],
    )


def _booking_date(text: str) -> date:
    match = _DATE.fullmatch(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        with suppress(ValueError):
            return date(year, month, day)
    raise DomainError(LineProblem.BAD_DATE, value=text)


def _signed_cents(text: str) -> int:
    sign, unsigned = (-1, text[1:]) if text.startswith("-") else (1, text.removeprefix("+"))
    try:
        cents = parse_euros(unsigned)
    except DomainError:
        raise DomainError(LineProblem.BAD_AMOUNT, value=text) from None
    if cents == 0:
        raise DomainError(LineProblem.BAD_AMOUNT, value=text)
    return sign * cents


@dataclass(frozen=True)
class AmountMismatch:
    row: StatementRow
    expected_cents: int  # the pledge's amount; the row holds what was paid


@dataclass(frozen=True)
class MatchReport:
    matched: tuple[StatementRow, ...]
    amount_mismatch: tuple[AmountMismatch, ...]
    unknown_reference: tuple[StatementRow, ...]
    no_reference: tuple[StatementRow, ...]
    already_imported: tuple[StatementRow, ...]


def match_rows(
    rows: Iterable[StatementRow], pending: Mapping[str, int], already_imported: Container[str]
) -> MatchReport:
    """Pair transfers with pending pledges (reference → amount in cents) by reference and exact amount.

    Only ``matched`` rows confirm a pledge. A transaction id in `already_imported` changes
    nothing, so a file imported twice confirms nothing twice: record the id of every row you
    act on. ``unknown_reference`` holds valid references that are not pending: never issued,
    cancelled, already confirmed, or paid by an earlier row of the same file.
    """
    matched: list[StatementRow] = []
    mismatched: list[AmountMismatch] = []
    unknown: list[StatementRow] = []
    unreferenced: list[StatementRow] = []
    imported: list[StatementRow] = []
    paid: set[str] = set()
    for row in rows:
        if row.transaction_id in already_imported:
            imported.append(row)
        elif row.reference is None:
            unreferenced.append(row)
        elif row.reference not in pending or row.reference in paid:
            unknown.append(row)
        elif row.amount_cents != pending[row.reference]:
            mismatched.append(AmountMismatch(row, pending[row.reference]))
        else:
            matched.append(row)
            paid.add(row.reference)
    return MatchReport(tuple(matched), tuple(mismatched), tuple(unknown), tuple(unreferenced), tuple(imported))
