from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain import DomainError
from portal.domain.bank_statement import (
    AmountMismatch,
    LineIssue,
    StatementRow,
    match_rows,
    parse_statement,
)
from portal.domain.payment_reference import new_reference

HEADER = "data;importo;causale;id_movimento"
LAB_BARONA = "CC2020-7K3M9Q2X-9"
OTHER = new_reference(2020, b"\x01" * 5)
THIRD = new_reference(2020, b"\x02" * 5)


def statement(*lines, header=HEADER, bom="\ufeff"):
    return (bom + "\r\n".join([header, *lines]) + "\r\n").encode()


def refused(data, **limits):
    with pytest.raises(DomainError) as error:
        parse_statement(data, **limits)
    return error.value


def test_an_italian_export_with_a_bom_and_semicolons():
    parsed = parse_statement(statement("02/11/2020;8.000,00;Donazione CC2020 7K3M 9Q2X 9 per Lab Barona;MOV-001"))
    assert parsed.rows == (
        StatementRow(
            line=2,
            booked_on=date(2020, 11, 2),
            amount_cents=8_000_00,
            reference=LAB_BARONA,
            transaction_id="MOV-001",
            description="Donazione CC2020 7K3M 9Q2X 9 per Lab Barona",
        ),
    )
    assert parsed.errors == parsed.skipped == ()


def test_commas_any_column_order_and_case_and_extra_columns():
    parsed = parse_statement(
        statement(
            'A1,2/11/2020,"1.234,56",EUR,bonifico ' + LAB_BARONA,
            "A2,03/11/2020,1234.56,EUR,bonifico " + OTHER,
            header="ID_Movimento, Data ,Importo,Divisa,Causale",
            bom="",
        )
    )
    assert [(row.transaction_id, row.booked_on, row.amount_cents, row.reference) for row in parsed.rows] == [
        ("A1", date(2020, 11, 2), 1_234_56, LAB_BARONA),
        ("A2", date(2020, 11, 3), 1_234_56, OTHER),
    ]


def test_outgoing_transactions_are_skipped_not_errors():
    parsed = parse_statement(statement("02/11/2020;-50,00;Commissioni;MOV-9", "02/11/2020;+20,00;x " + OTHER + ";M-2"))
    assert parsed.skipped == (LineIssue(2, "outgoing", {"amount_cents": -50_00}),)
    assert parsed.errors == ()
    assert [row.amount_cents for row in parsed.rows] == [20_00]


def test_a_transfer_without_a_valid_reference_is_still_a_row():
    parsed = parse_statement(statement("02/11/2020;25;Per il Lab Barona;M1", "02/11/2020;25;CC2020 7K3M 9Q2X 8;M2"))
    assert [row.reference for row in parsed.rows] == [None, None]


@pytest.mark.parametrize(
    ("line", "code", "params"),
    [
        ("31/02/2020;10,00;x;M1", "bad_date", {"value": "31/02/2020"}),
        ("2020-11-02;10,00;x;M1", "bad_date", {"value": "2020-11-02"}),
        (";10,00;x;M1", "bad_date", {"value": ""}),
        ("02/11/2020;10,0,0;x;M1", "bad_amount", {"value": "10,0,0"}),
        ("02/11/2020;dieci;x;M1", "bad_amount", {"value": "dieci"}),
        ("02/11/2020;0,00;x;M1", "bad_amount", {"value": "0,00"}),
        ("02/11/2020;;x;M1", "bad_amount", {"value": ""}),
        ("02/11/2020;10,00;x;  ", "missing_transaction_id", {}),
        ("02/11/2020;10,00;x", "wrong_column_count", {"expected": 4, "found": 3}),
        ("02/11/2020;10,00;x;y;M1", "wrong_column_count", {"expected": 4, "found": 5}),
        (f"02/11/2020;10,00;{LAB_BARONA} {OTHER};M1", "several_references", {"references": [LAB_BARONA, OTHER]}),
    ],
)
def test_a_bad_line_is_reported_with_its_number_and_reason(line, code, params):
    parsed = parse_statement(statement("02/11/2020;5,00;ok;M0", line))
    assert parsed.errors == (LineIssue(3, code, params),)
    assert [row.transaction_id for row in parsed.rows] == ["M0"]


def test_a_transaction_twice_in_a_file_is_reported_on_its_second_line():
    parsed = parse_statement(statement("02/11/2020;5,00;a;M1", "03/11/2020;7,00;b;M2", "02/11/2020;5,00;a;M1"))
    assert [row.line for row in parsed.rows] == [2, 3]
    assert parsed.errors == (LineIssue(4, "duplicate_transaction_id", {"first_line": 2}),)


def test_line_numbers_are_those_of_the_file_with_blank_lines_and_descriptions_on_two_lines():
    parsed = parse_statement(
        statement(
            "", '02/11/2020;5,00;"Donazione\r\nLab Barona";M1', ";;;", "02/11/2020;oops;x;M2", "04/11/2020;5;x;M3"
        )
    )
    assert [row.line for row in parsed.rows] == [3, 7]
    assert parsed.rows[0].description == "Donazione\r\nLab Barona"
    assert parsed.errors == (LineIssue(6, "bad_amount", {"value": "oops"}),)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf\r\n\r\n", "empty"),
        ("data;importo\r\n".encode("utf-16"), "not_utf8"),
        (b"data;importo;causale;id_movimento\r\n02/11/2020;5;caus\xe0le;M1\r\n", "not_utf8"),
        (b'data;importo;causale;id_movimento\r\n02/11/2020;5;"' + b"x" * 200_000 + b'";M1\r\n', "malformed_csv"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(data, code):
    assert refused(data).code == code


def test_a_missing_column_is_named():
    error = refused(statement(header="data;importo;descrizione"))
    assert (error.code, error.params) == ("missing_columns", {"columns": ["causale", "id_movimento"]})


def test_a_column_named_twice_is_refused():
    error = refused(statement(header="data;importo;importo;causale;id_movimento"))
    assert (error.code, error.params) == ("duplicate_column", {"column": "importo"})


def test_size_limits():
    data = statement(*(f"02/11/2020;5,00;x;M{n}" for n in range(3)))
    assert refused(data, max_bytes=len(data) - 1).params == {"max_bytes": len(data) - 1}
    assert refused(data, max_rows=2).code == "too_many_rows"
    assert len(parse_statement(data, max_bytes=len(data), max_rows=3).rows) == 3


@given(st.binary(max_size=300))
def test_any_bytes_give_a_statement_or_a_documented_refusal(data):
    try:
        assert all(row.amount_cents > 0 for row in parse_statement(data).rows)
    except DomainError as error:
        assert error.code in {"not_utf8", "empty", "missing_columns", "duplicate_column", "malformed_csv"}


@given(st.text(alphabet=';,"\r\n 0123456789/.-+€abcCMV', max_size=300))
def test_any_body_under_a_good_header_is_rows_errors_or_skipped(body):
    parsed = parse_statement(statement(body))
    lines = [issue.line for issue in parsed.errors + parsed.skipped] + [row.line for row in parsed.rows]
    assert len(lines) == len(set(lines))
    assert all(row.amount_cents > 0 for row in parsed.rows)


def row(reference, cents, transaction_id):
    return StatementRow(2, date(2020, 11, 2), cents, reference, transaction_id, "")


def test_rows_are_paired_with_pending_pledges_by_reference_and_exact_amount():
    rows = [
        row(LAB_BARONA, 50_00, "M1"),
        row(OTHER, 20_00, "M2"),
        row(THIRD, 10_00, "M3"),
        row(None, 10_00, "M4"),
        row(LAB_BARONA, 50_00, "M0"),
    ]
    report = match_rows(rows, pending={LAB_BARONA: 50_00, OTHER: 25_00}, already_imported={"M0"})
    assert report.matched == (rows[0],)
    assert report.amount_mismatch == (AmountMismatch(rows[1], expected_cents=25_00),)
    assert report.unknown_reference == (rows[2],)
    assert report.no_reference == (rows[3],)
    assert report.already_imported == (rows[4],)


def test_a_pledge_paid_twice_in_one_file_is_confirmed_once():
    first, second = row(LAB_BARONA, 50_00, "M1"), row(LAB_BARONA, 50_00, "M2")
    report = match_rows([first, second], pending={LAB_BARONA: 50_00}, already_imported=set())
    assert report.matched == (first,)
    assert report.unknown_reference == (second,)


def test_importing_the_same_file_again_changes_nothing():
    parsed = parse_statement(statement(f"02/11/2020;50,00;{LAB_BARONA};M1", f"02/11/2020;9,00;{OTHER};M2"))
    pending = {LAB_BARONA: 50_00, OTHER: 10_00}
    first = match_rows(parsed.rows, pending, already_imported=set())
    assert [r.transaction_id for r in first.matched] == ["M1"]

    still_pending = {ref: cents for ref, cents in pending.items() if ref != LAB_BARONA}
    second = match_rows(parsed.rows, still_pending, already_imported={"M1"})
    assert second.matched == ()
    assert [r.transaction_id for r in second.already_imported] == ["M1"]
    assert [m.row.transaction_id for m in second.amount_mismatch] == ["M2"]


@given(
    st.lists(
        st.tuples(st.sampled_from([LAB_BARONA, OTHER, THIRD, None]), st.integers(1, 100), st.sampled_from("ABCD")),
        max_size=12,
    )
)
def test_every_row_lands_in_exactly_one_group_and_a_pledge_is_matched_at_most_once(specs):
    rows = [row(reference, cents, f"{tid}{n}") for n, (reference, cents, tid) in enumerate(specs)]
    report = match_rows(rows, pending={LAB_BARONA: 50, OTHER: 25}, already_imported={"A0", "B1"})
    groups = [
        *report.matched,
        *(m.row for m in report.amount_mismatch),
        *report.unknown_reference,
        *report.no_reference,
        *report.already_imported,
    ]
    assert sorted(r.transaction_id for r in groups) == sorted(r.transaction_id for r in rows)
    assert len({r.reference for r in report.matched}) == len(report.matched)
    assert all(r.amount_cents == {LAB_BARONA: 50, OTHER: 25}[r.reference] for r in report.matched)
