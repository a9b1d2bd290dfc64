import csv
import io

import pytest

from portal.domain.spreadsheet import safe_cell, to_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+39 02 0202", "'+39 02 0202"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("Niccolò", "Niccolò"),
        (None, ""),
        (12, "12"),
    ],
)
def test_a_cell_never_runs_as_a_formula(value, expected):
    assert safe_cell(value) == expected


def test_csv_has_a_bom_semicolons_and_round_trips():
    text = to_csv(["Nome", "Note"], [['Zoë; "la" prima', "riga\nsecond"], ["Ànna", None]])
    assert text.startswith("\ufeffNome;Note\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["Nome", "Note"], ['Zoë; "la" prima', "riga\nsecond"], ["Ànna", ""]]
