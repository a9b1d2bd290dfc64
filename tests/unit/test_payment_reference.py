import re
from itertools import product

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from portal.domain.payment_reference import (
    ALPHABET,
    TOKEN_BYTES,
    check_symbol,
    find_reference,
    find_references,
    new_reference,
    normalise_reference,
)

LAB_BARONA = "CC2020-7K3M9Q2X-9"
LAB_BARONA_TOKEN = bytes.fromhex("3cc744dc5d")
ONES = new_reference(2021, bytes.fromhex("0842108421"))  # every symbol of the body is 1

tokens = st.binary(min_size=TOKEN_BYTES, max_size=TOKEN_BYTES)
years = st.integers(2000, 2099)


def symbols(reference):
    """The year, the body and the check, as the check sees them."""
    return reference.replace("-", "").removeprefix("CC")


def test_a_reference_is_the_year_eight_random_symbols_and_a_check():
    assert new_reference(2020, LAB_BARONA_TOKEN) == LAB_BARONA
    assert "CC2021-11111111-" + check_symbol("202111111111") == ONES


@given(token=tokens, year=years)
def test_every_new_reference_is_canonical_and_reads_back(token, year):
    reference = new_reference(year, token)
    assert re.fullmatch(rf"CC{year}-[{ALPHABET}]{{8}}-[{ALPHABET}]", reference)
    assert normalise_reference(reference) == reference


@given(first=tokens, second=tokens)
def test_different_tokens_give_different_references(first, second):
    assume(first != second)
    assert new_reference(2020, first) != new_reference(2020, second)


@pytest.mark.parametrize(("year", "token"), [(999, LAB_BARONA_TOKEN), (2020, b"\x00" * 4), (2020, b"\x00" * 6)])
def test_a_reference_needs_a_four_digit_year_and_five_random_bytes(year, token):
    with pytest.raises(ValueError):
        new_reference(year, token)


@pytest.mark.parametrize(
    "typed",
    [
        "cc2020-7k3m9q2x-9",
        "CC20207K3M9Q2X9",
        "  CC2020 7K3M 9Q2X 9 ",
        "CC2020\u20137K3M9Q2X\u20139",  # dashes a phone puts in place of hyphens
        "CC2O2O-7K3M9Q2X-9",  # O for 0
    ],
)
def test_what_people_type_reads_as_the_reference(typed):
    assert normalise_reference(typed) == LAB_BARONA


@pytest.mark.parametrize("typed", [ONES.replace("1", "I"), ONES.replace("1", "l"), ONES.lower().replace("1", "i")])
def test_i_and_l_read_as_one(typed):
    assert normalise_reference(typed) == ONES


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "CC2020-7K3M9Q2X",  # no check
        "CC2020-7K3M9Q2X-8",  # wrong check
        "CC2020-7K3M9Q2U-9",  # U is not a symbol
        "CX2020-7K3M9Q2X-9",
        "2020-7K3M9Q2X-9",
        "CC202-7K3M9Q2X-9",
        "CC2020-7K3M9Q2X-99",
        "CC\u0662\u0660\u0662\u0660-7K3M9Q2X-9",  # digits, but not 0-9
        "CC2020-7K3M9Q2X-9" + " " * 64,
    ],
)
def test_anything_else_is_not_a_reference(typed):
    assert normalise_reference(typed) is None


def test_the_check_quasigroup_has_what_damms_proof_needs():
    # One symbol after "c" reaches every intermediate value, so this covers any position.
    for c in ALPHABET:
        assert len({check_symbol(c + x) for x in ALPHABET}) == len(ALPHABET)  # a wrong symbol changes it
    for x in ALPHABET:
        assert len({check_symbol(c + x) for c in ALPHABET}) == len(ALPHABET)  # later symbols keep it changed
    for c, x, y in product(ALPHABET, repeat=3):
        if x != y:
            assert check_symbol(c + x + y) != check_symbol(c + y + x)  # a swap changes it


@given(token=tokens, year=years, position=st.integers(0, 12), wrong=st.sampled_from(ALPHABET))
def test_every_single_wrong_symbol_is_refused(token, year, position, wrong):
    typed = symbols(new_reference(year, token))
    assume(typed[position] != wrong)
    assert normalise_reference("CC" + typed[:position] + wrong + typed[position + 1 :]) is None


@given(token=tokens, year=years, position=st.integers(0, 11))
def test_every_swap_of_neighbours_is_refused_check_symbol_included(token, year, position):
    typed = symbols(new_reference(year, token))
    assume(typed[position] != typed[position + 1])
    swapped = typed[:position] + typed[position + 1] + typed[position] + typed[position + 2 :]
    assert normalise_reference("CC" + swapped) is None


@pytest.mark.parametrize(
    "description",
    [
        "Donazione CC2020 7K3M 9Q2X 9 per Lab Barona",
        "Accredito bonifico cc2020-7k3m9q2x-9 grazie",  # "accredito" holds a "cc" too
        "RIF:CC20207K3M9Q2X9/LAB BARONA",
        "CC2020-7K3M9Q2X-9 e di nuovo CC2020 7K3M9Q2X 9",  # the same one twice
    ],
)
def test_the_reference_is_found_in_a_transfer_description(description):
    assert find_reference(description) == LAB_BARONA


@pytest.mark.parametrize(
    "description",
    [
        "Donazione per Lab Barona",
        "Donazione 2020 7K3M 9Q2X 9",  # without CC
        "Donazione CC2020 7K3M 9Q2X 8",  # a typo
    ],
)
def test_no_reference_is_found_where_there_is_none(description):
    assert find_reference(description) is None


def test_two_different_references_are_not_attributed_to_either():
    other = new_reference(2020, b"\x01" * 5)
    description = f"Donazioni {LAB_BARONA} e {other}"
    assert find_references(description) == [LAB_BARONA, other]
    assert find_reference(description) is None


@given(
    before=st.text(alphabet="abcdefghijklmnopqrstuvwxyz àèéìòù.,:/", max_size=30),
    after=st.text(alphabet="abcdefghijklmnopqrstuvwxyz àèéìòù.,:/", max_size=30),
    token=tokens,
    spaced=st.booleans(),
)
def test_a_reference_is_found_whatever_surrounds_it(before, after, token, spaced):
    reference = new_reference(2020, token)
    typed = reference.replace("-", " ") if spaced else reference.lower()
    assert find_reference(f"{before} {typed} {after}") == reference


@given(st.text(max_size=200))
def test_any_text_yields_only_valid_canonical_references(text):
    for reference in find_references(text):
        assert normalise_reference(reference) == reference
