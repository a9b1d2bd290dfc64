"""The rules of staff's dashboard per edition (portal/domain/insight.py): success rate, days to
threshold in Rome, quartiles, payment shares adding up to 100, overdue reports, bar geometry."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from portal.domain.aftercare import report_overdue
from portal.domain.insight import (
    bar_chart,
    bar_widths,
    days_to_threshold,
    quartiles,
    shares,
    success_rate,
)

ROME = ZoneInfo("Europe/Rome")


def test_success_rate_is_succeeded_over_ended_and_none_before_any_ended():
    assert success_rate(0, 0) is None
    assert success_rate(1, 2) == Decimal("50.00")
    assert success_rate(2, 3) == Decimal("66.67")
    assert success_rate(1, 3) == Decimal("33.33")
    assert success_rate(3, 3) == Decimal("100.00")
    with pytest.raises(ValueError):
        success_rate(3, 2)


def test_days_to_threshold_counts_calendar_days_in_rome():
    opened = datetime(2020, 10, 30, 0, 0, tzinfo=ROME)
    assert days_to_threshold(opened, datetime(2020, 10, 30, 23, 59, tzinfo=ROME), ROME) == 0
    assert days_to_threshold(opened, datetime(2020, 11, 15, 12, 0, tzinfo=ROME), ROME) == 16
    # 23:30 UTC on 14 November is already the 15th in Rome: the Rome day counts, not the UTC one.
    assert days_to_threshold(opened, datetime(2020, 11, 14, 23, 30, tzinfo=UTC), ROME) == 16
    # Across the change from summer time (25 October 2020): still whole calendar days.
    assert (
        days_to_threshold(datetime(2020, 10, 24, 0, 0, tzinfo=ROME), datetime(2020, 10, 26, 0, 0, tzinfo=ROME), ROME)
        == 2
    )
    with pytest.raises(ValueError):
        days_to_threshold(datetime(2020, 10, 30), datetime(2020, 11, 1, tzinfo=ROME), ROME)


@pytest.mark.parametrize(
    "values",
    [[7], [1, 2], [1, 2, 3, 4], [3, 1, 2], [0, 0, 5, 9, 9, 12, 40], [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 3]],
)
def test_quartiles_match_the_inclusive_method(values):
    table: dict[int, int] = {}
    for value in values:
        table[value] = table.get(value, 0) + 1
    found = quartiles(table)
    expected = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else [values[0]] * 3
    assert [float(found.lower), float(found.median), float(found.upper)] == pytest.approx(expected, abs=0.005)
    assert float(found.median) == pytest.approx(statistics.median(values), abs=0.005)
    assert (found.count, found.smallest, found.largest) == (len(values), min(values), max(values))


def test_quartiles_of_nothing_are_none_and_pairs_work_like_a_table():
    assert quartiles({}) is None
    assert quartiles({5: 0}) is None
    assert quartiles([(1, 2), (4, 2)]).median == Decimal("2.50")
    with pytest.raises(ValueError):
        quartiles({1: -1})


@pytest.mark.parametrize(
    "amounts",
    [[1, 1, 1], [2, 1], [1_000_050, 2_000, 333], [5, 0, 0], [1, 1, 1, 1, 1, 1, 1], [999_999, 1], [0, 7]],
)
def test_shares_always_add_up_to_100(amounts):
    found = shares(amounts)
    assert sum(found) == 100
    for share, amount in zip(found, amounts, strict=True):
        assert abs(share - 100 * amount / sum(amounts)) < 1  # never more than a point off


def test_shares_give_the_points_left_to_the_largest_remainders():
    assert shares([1, 1, 1]) == [34, 33, 33]
    assert shares([2, 1]) == [67, 33]
    assert shares([1, 2]) == [33, 67]
    assert shares([0, 0]) == [0, 0]  # nothing paid yet: no shares, not 100
    assert shares([]) == []
    with pytest.raises(ValueError):
        shares([-1, 5])


def test_a_final_report_is_overdue_from_the_day_after_it_was_due():
    due = date(2020, 12, 31)
    assert not report_overdue(due, date(2020, 12, 30))
    assert not report_overdue(due, due)
    assert report_overdue(due, date(2021, 1, 1))


def test_bars_are_scaled_to_the_largest_value():
    assert bar_widths([10, 5, 0], 480) == [480.0, 240.0, 0.0]
    assert bar_widths([3, 1], 100) == [100.0, 33.33]


def test_bars_of_zeros_or_of_nothing_are_empty():
    assert bar_widths([0, 0, 0]) == [0.0, 0.0, 0.0]
    assert bar_widths([]) == []
    chart = bar_chart([])
    assert chart.rows == () and chart.height == 0
    with pytest.raises(ValueError):
        bar_widths([1, -1])


def test_a_chart_puts_each_label_above_its_bar_inside_the_viewbox():
    chart = bar_chart([4, 2, 0], width=480)
    assert [row.width for row in chart.rows] == [480.0, 240.0, 0.0]
    for before, after in zip(chart.rows, chart.rows[1:], strict=False):
        assert before.bar_y + chart.bar_height < after.label_y - 10  # rows never overlap
    for row in chart.rows:
        assert 0 < row.label_y < row.bar_y and 0 <= row.width <= chart.width
    assert chart.rows[-1].bar_y + chart.bar_height == chart.height
