"""CSV files that open correctly in the spreadsheet programs staff use (Excel with an Italian locale)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

BOM = "\ufeff"  # tells Excel the file is UTF-8, so accents survive
DELIMITER = ";"  # Excel's list separator with Italian regional settings
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A cell as text; one that a spreadsheet would run as a formula is prefixed with an apostrophe
    (people's names and messages come from the public)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(header: Iterable[object], rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return BOM + buffer.getvalue()
