"""Staff insight (issue 19, item 5): the rules of an edition's dashboard ("Andamento dell'edizione").

Plain values in and out: counts, cents, instants with the time zone to read them in. The queries
live in `portal/services/aftercare/insight.py`; the pages only show what these functions return.

- `success_rate`: campaigns that succeeded out of those that ended, as a percentage;
- `days_to_threshold`: calendar days (in the zone given: Rome) from a campaign's start to the moment
  its citizens' target was reached and the Comune's grant committed;
- `quartiles`: lower quartile, median and upper quartile of a frequency table (value → how many);
- `shares`: integer percentages that add up to exactly 100 (largest remainder);
- `bar_chart`: the geometry of a horizontal bar chart in a fixed viewBox.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def _two_decimals(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def success_rate(succeeded: int, ended: int) -> Decimal | None:
    """Succeeded ÷ ended campaigns, as a percentage with two decimals; None when none has ended."""
    if succeeded < 0 or ended < succeeded:
        raise ValueError("succeeded campaigns are some of the ended ones")
    if ended == 0:
        return None
    return _two_decimals(Fraction(100 * succeeded, ended))


def days_to_threshold(starts_at: datetime, reached_at: datetime, tz: tzinfo) -> int:
    """Calendar days in `tz` from the campaign's start to the moment its target was reached (0: the
    first day). Both instants must be aware."""
    if starts_at.tzinfo is None or reached_at.tzinfo is None:
        raise ValueError("aware instants only")
    return max((reached_at.astimezone(tz).date() - starts_at.astimezone(tz).date()).days, 0)


@dataclass(frozen=True)
class Quartiles:
    """How a figure is spread over the campaigns: `count` values, their quartiles (two decimals)."""

    count: int
    lower: Decimal
    median: Decimal
    upper: Decimal
    smallest: int
    largest: int


def quartiles(frequencies: Mapping[int, int] | Iterable[tuple[int, int]]) -> Quartiles | None:
    """Quartiles of the values a frequency table counts ({value: how many}), by linear interpolation
    between the ordered values (the "inclusive" method: the median of 1, 2, 3, 4 is 2.5, its quartiles
    1.75 and 3.25). None for an empty table."""
    pairs = list(frequencies.items() if isinstance(frequencies, Mapping) else frequencies)
    if any(count < 0 for _value, count in pairs):
        raise ValueError("a frequency cannot be negative")
    table = sorted((value, count) for value, count in pairs if count > 0)
    n = sum(count for _value, count in table)
    if n == 0:
        return None

    def at(index: int) -> int:
        """The index-th value (from 0) in order."""
        seen = 0
        for value, count in table:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    def quantile(q: Fraction) -> Decimal:
        position = q * (n - 1)
        below = position.numerator // position.denominator
        fraction = position - below
        value = Fraction(at(below))
        if fraction:
            value += fraction * (at(below + 1) - at(below))
        return _two_decimals(value)

    return Quartiles(
        n, quantile(Fraction(1, 4)), quantile(Fraction(1, 2)), quantile(Fraction(3, 4)), table[0][0], table[-1][0]
    )


def shares(amounts: Sequence[int]) -> list[int]:
    """Each amount's share of their sum as whole percentages adding up to exactly 100: every share
    rounded down, the points left given to the largest remainders (ties: the larger amount, then the
    earlier one). All zero (or none): all shares 0."""
    if any(amount < 0 for amount in amounts):
        raise ValueError("amounts cannot be negative")
    whole = sum(amounts)
    if whole == 0:
        return [0 for _ in amounts]
    floors = [100 * amount // whole for amount in amounts]
    remainders = [100 * amount % whole for amount in amounts]
    left = 100 - sum(floors)
    order = sorted(range(len(amounts)), key=lambda i: (-remainders[i], -amounts[i], i))
    for index in order[:left]:
        floors[index] += 1
    return floors


# --- the bar charts' geometry ----------------------------------------------------------------------

CHART_WIDTH = 480  # the viewBox's width; the SVG scales to its container
LABEL_HEIGHT = 20  # the line of text above each bar (its name and figure)
BAR_HEIGHT = 18
ROW_GAP = 14


@dataclass(frozen=True)
class BarRow:
    label_y: int  # the text's baseline
    bar_y: int
    width: float  # 0 for a zero value: no bar, the label says 0


@dataclass(frozen=True)
class BarChart:
    rows: tuple[BarRow, ...]
    width: int
    height: int
    bar_height: int = BAR_HEIGHT


def bar_widths(values: Sequence[int], span: float = CHART_WIDTH) -> list[float]:
    """Each value's bar length on the scale of the largest (which spans `span`), two decimals; all
    zero (or none): all 0."""
    if any(value < 0 for value in values):
        raise ValueError("bars are for values of at least 0")
    largest = max(values, default=0)
    if largest == 0:
        return [0.0 for _ in values]
    return [round(span * value / largest, 2) for value in values]


def bar_chart(values: Sequence[int], width: int = CHART_WIDTH) -> BarChart:
    """One row per value: a line of text, then its bar below it (so long names never overlap a bar
    at any width); the chart's height fits the rows."""
    row_height = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    rows = tuple(
        BarRow(label_y=index * row_height + LABEL_HEIGHT - 5, bar_y=index * row_height + LABEL_HEIGHT, width=bar)
        for index, bar in enumerate(bar_widths(values, width))
    )
    return BarChart(rows, width, max(len(rows) * row_height - ROW_GAP, 0))
