"""Reading the gallery's query string: good values kept, bad ones dropped and named, never an error."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.campaign import CampaignState
from portal.domain.gallery import (
    MAX_TEXT,
    PARAMS,
    Filters,
    Sort,
    page_count,
    page_links,
    page_slices,
    parse_filters,
    shade,
)

YEARS = (2020, 2016)
THEMES = ("ambiente", "cultura")
NIL_IDS = {46: 6, 1: 1}


def parse(**args):
    return parse_filters(args, years=YEARS, themes=THEMES, municipi=range(1, 10), nil_ids=NIL_IDS)


def test_nothing_asked_is_everything_newest_first():
    assert parse() == Filters()
    assert parse().is_filtered is False


def test_every_filter_read():
    filters = parse(
        q="  orti   urbani ",
        edizione="2020",
        municipio="6",
        nil="46",
        tema="ambiente",
        stato="cofinanziati",
        ordina="vicini_soglia",
        pagina="3",
    )
    assert filters == Filters(
        text="orti urbani",
        edition=2020,
        municipio=6,
        nil=46,
        theme="ambiente",
        state=CampaignState.COFUNDED,
        sort=Sort.NEAREST,
        page=3,
    )
    assert filters.is_filtered


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("municipio", "abc"),
        ("municipio", "0"),
        ("municipio", "10"),
        ("municipio", "-1"),
        ("municipio", "6.0"),
        ("municipio", "1e1"),
        ("municipio", "9" * 5000),  # no 10**5000 parsed
        ("municipio", "６"),  # a full-width digit is not a Municipio number
        ("edizione", "2019"),
        ("nil", "999"),
        ("tema", "AMBIENTE"),
        ("stato", "live"),
        ("ordina", "zzz"),
        ("pagina", "-1"),
        ("pagina", "0"),
        ("pagina", "99999999999999999999"),
        ("pagina", "2\x00"),
    ],
)
def test_a_bad_value_is_dropped_named_and_the_rest_kept(name, value):
    filters = parse(**{name: value, "tema": "cultura"} if name != "tema" else {name: value, "municipio": "6"})
    assert filters.ignored == (name,)
    if name == "tema":
        assert (filters.theme, filters.municipio) == (None, 6)
    else:
        assert (filters.theme, filters.page, filters.sort) == ("cultura", 1, Sort.NEWEST)


def test_empty_values_are_not_filters_nor_errors():
    assert parse(q="", municipio="", nil="", tema="", stato="", ordina="", pagina="") == Filters()


def test_search_without_control_characters_and_within_its_length():
    assert parse(q="orti\x00 di\u200b quartiere\n").text == "orti di quartiere"
    assert parse(q="\x00\x01 ").text is None
    assert parse(q="x" * MAX_TEXT).text == "x" * MAX_TEXT
    too_long = parse(q="x" * (MAX_TEXT + 1), municipio="6")
    assert (too_long.text, too_long.municipio, too_long.ignored) == (None, 6, ("q",))


def test_args_keep_the_view_and_leave_out_defaults():
    filters = parse(q="orti", municipio="6", nil="46", stato="in_corso", ordina="piu_sostenuti", pagina="2")
    assert filters.args() == {
        "q": "orti",
        "municipio": "6",
        "nil": "46",
        "stato": "in_corso",
        "ordina": "piu_sostenuti",
        "pagina": "2",
    }
    # Another Municipio from the map: its NIL is dropped and the list starts again from page 1.
    assert filters.args(municipio=4, nil=None) == {
        "q": "orti",
        "municipio": "4",
        "stato": "in_corso",
        "ordina": "piu_sostenuti",
    }
    assert filters.args(page=3)["pagina"] == "3"
    assert Filters().args(page=1) == {}
    assert set(filters.args()) <= set(PARAMS)


@given(st.dictionaries(st.sampled_from(PARAMS + ("other",)), st.text(max_size=300)))
def test_any_query_string_reads_into_valid_filters(args):
    filters = parse_filters(args, years=YEARS, themes=THEMES, municipi=range(1, 10), nil_ids=NIL_IDS)
    assert filters.edition in (None, *YEARS)
    assert filters.municipio is None or 1 <= filters.municipio <= 9
    assert filters.nil in (None, *NIL_IDS)
    assert filters.theme in (None, *THEMES)
    assert filters.page >= 1
    assert filters.text is None or (0 < len(filters.text) <= MAX_TEXT and "\x00" not in filters.text)
    # What is kept reads back the same from its own query string.
    again = parse_filters(
        filters.args(page=filters.page), years=YEARS, themes=THEMES, municipi=range(1, 10), nil_ids=NIL_IDS
    )
    assert again == Filters(**{**filters.__dict__, "ignored": ()})


def test_pages():
    assert page_count(0) == 1
    assert page_count(12) == 1
    assert page_count(13) == 2
    assert page_links(1, 1) == [1]
    assert page_links(1, 3) == [1, 2, 3]
    assert page_links(1, 10) == [1, 2, 3, None, 10]
    assert page_links(6, 10) == [1, None, 4, 5, 6, 7, 8, 9, 10]
    assert page_links(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert page_links(4, 10) == [1, 2, 3, 4, 5, 6, None, 10]
    assert page_links(5, 10) == [1, 2, 3, 4, 5, 6, 7, None, 10]  # page 2 rather than a gap of one
    assert page_links(10, 10) == [1, None, 8, 9, 10]


def test_map_shades_grow_with_the_count():
    assert shade(0, 5) == 0
    assert shade(1, 1) == 3
    assert [shade(n, 9) for n in (1, 3, 4, 6, 7, 9)] == [1, 1, 2, 2, 3, 3]
    assert shade(3, 0) == 0


def test_a_page_takes_its_rows_from_the_parts_of_the_order_it_covers():
    # Parts of 11, 2 and 2 rows (open, upcoming, ended), pages of 12.
    assert page_slices([11, 2, 2], 1) == [(0, 0, 11), (1, 0, 1)]
    assert page_slices([11, 2, 2], 2) == [(1, 1, 1), (2, 0, 2)]
    assert page_slices([0, 3, 0], 1) == [(1, 0, 3)]
    assert page_slices([30, 0, 5], 3) == [(0, 24, 6), (2, 0, 5)]
    assert page_slices([0, 0, 0], 1) == []


@given(st.lists(st.integers(0, 40), min_size=1, max_size=5), st.integers(1, 12))
def test_the_pages_cover_every_row_once_in_order(sizes, per_page):
    rows = [(part, index) for part, size in enumerate(sizes) for index in range(size)]
    paged = [
        (part, offset + index)
        for page in range(1, page_count(len(rows), per_page) + 1)
        for part, offset, count in page_slices(sizes, page, per_page)
        for index in range(count)
    ]
    assert paged == rows
