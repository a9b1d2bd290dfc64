import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain import DomainError
from portal.domain.money import parse_euros


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("20000", 2_000_000),
        ("20.000", 2_000_000),  # Italian thousands
        ("20,000", 2_000_000),  # English thousands
        ("20000,50", 2_000_050),
        ("20000.50", 2_000_050),
        ("20.000,50", 2_000_050),
        ("20,000.50", 2_000_050),
        ("1.234.567,8", 123_456_780),
        ("1,234,567.89", 123_456_789),
        ("€ 20.000", 2_000_000),
        ("20.000 €", 2_000_000),
        ("EUR 100000", 10_000_000),
        (" 20 000 ", 2_000_000),
        ("20\u00a0000,5", 2_000_050),
        ("0,5", 50),
        ("7", 700),
    ],
)
def test_reads_italian_and_english_notation(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "20k",
        "-100",
        "+100",
        "1e5",
        "20.00.0",
        "20,000,5",
        "1.2345",
        "20,000,50",
        "20.000.50,",
        "12..0",
        ".5",
        "∞",
    ],
)
def test_refuses_what_is_not_an_amount(text):
    with pytest.raises(DomainError) as error:
        parse_euros(text)
    assert error.value.code == "not_a_number"


@pytest.mark.parametrize("text", ["", "   ", "€"])
def test_empty_input_has_its_own_reason(text):
    with pytest.raises(DomainError) as error:
        parse_euros(text)
    assert error.value.code == "empty"


@given(st.integers(min_value=0, max_value=10**12))
def test_formats_people_write_read_back_the_same(cents):
    euros, rest = divmod(cents, 100)
    italian = f"{euros:,}".replace(",", ".") + (f",{rest:02d}" if rest else "")
    english = f"{euros:,}" + (f".{rest:02d}" if rest else "")
    plain = f"{euros}" + (f",{rest:02d}" if rest else "")
    if euros >= 1000 or rest:
        assert parse_euros(italian) == cents
        assert parse_euros(english) == cents
    assert parse_euros(plain) == cents


@given(st.text(max_size=40))
def test_never_crashes_on_any_text(text):
    try:
        assert parse_euros(text) >= 0
    except DomainError as error:
        assert error.code in {"empty", "not_a_number"}
