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

from portal.domain import DomainError
from portal.domain.money import parse_euros
from portal.domain.payment_reference import find_references

COLUMNS = ("data", "importo", "causale", "id_movimento")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000

_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


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
    code: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Statement:
    rows: tuple[StatementRow, ...]
    errors: tuple[LineIssue, ...]  # lines that could not be read
    skipped: tuple[LineIssue, ...]  # outgoing transactions, code "outgoing"


def parse_statement(data: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Statement:
    """Read a statement in the documented format (see the module's docstring).

    The whole file is refused with ``DomainError`` when it is too large (``too_large``,
    ``too_many_rows``), not UTF-8 (``not_utf8``), empty (``empty``), its header lacks a
    column (``missing_columns``) or names one twice (``duplicate_column``), or it is not
    CSV (``malformed_csv``); otherwise every line is a row, an error or skipped.
    """
    records = _records(_decode(data, max_bytes))
    header = next(records, None)
    if header is None:
        raise DomainError("empty")
    width, positions = len(header[1]), _positions(header[1])
    rows: list[StatementRow] = []
    errors: list[LineIssue] = []
    skipped: list[LineIssue] = []
    first_line_of: dict[str, int] = {}
    for count, (line, cells) in enumerate(records, start=1):
        if count > max_rows:
            raise DomainError("too_many_rows", max_rows=max_rows)
        try:
            row = _row(line, cells, width, positions)
        except DomainError as problem:
            (skipped if problem.code == "outgoing" else errors).append(LineIssue(line, problem.code, problem.params))
            continue
        first_line = first_line_of.setdefault(row.transaction_id, line)
        if first_line == line:
            rows.append(row)
        else:
            errors.append(LineIssue(line, "duplicate_transaction_id", {"first_line": first_line}))
    return Statement(tuple(rows), tuple(errors), tuple(skipped))


def _decode(data: bytes, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise DomainError("too_large", max_bytes=max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("not_utf8") from None


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
        raise DomainError("malformed_csv", line=end + 1) from None


def _positions(header: list[str]) -> dict[str, int]:
    names = [name.strip().lower() for name in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        raise DomainError("missing_columns", columns=missing)
    for column in COLUMNS:
        if names.count(column) > 1:
            raise DomainError("duplicate_column", column=column)
    return {column: names.index(column) for column in COLUMNS}


def _row(line: int, cells: list[str], width: int, positions: Mapping[str, int]) -> StatementRow:
    """An incoming transfer; raises ``DomainError`` with the reason a line is not one
    (``outgoing`` for money going out, which is skipped rather than an error)."""
    if len(cells) != width:
        raise DomainError("wrong_column_count", expected=width, found=len(cells))
    value = {column: cells[index].strip() for column, index in positions.items()}
    amount_cents = _signed_cents(value["importo"])
    if amount_cents < 0:
        raise DomainError("outgoing", amount_cents=amount_cents)
    if not value["id_movimento"]:
        raise DomainError("missing_transaction_id")
    references = find_references(value["causale"])
    if len(references) > 1:
        raise DomainError("several_references", references=references)
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
    raise DomainError("bad_date", value=text)


def _signed_cents(text: str) -> int:
    sign, unsigned = (-1, text[1:]) if text.startswith("-") else (1, text.removeprefix("+"))
    try:
        cents = parse_euros(unsigned)
    except DomainError:
        raise DomainError("bad_amount", value=text) from None
    if cents == 0:
        raise DomainError("bad_amount", value=text)
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
