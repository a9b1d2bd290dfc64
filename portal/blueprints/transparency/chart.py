"""The geometry of the tracker's SVG chart: stacked horizontal bars, in the units of a fixed viewBox.

Money stays exact in the tables; here cents only decide lengths on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.domain.cofunding import BudgetPosition, Share
from portal.services.cofunding.ledger import AreaLine

WIDTH = 480  # viewBox width
LABEL_WIDTH = 112  # room for "Municipio 9" left of the bars
BAR_HEIGHT = 24
ROW_HEIGHT = 36


@dataclass(frozen=True)
class Segment:
    kind: str  # "committed", "reserved" or "left": the CSS class of its fill
    x: float
    width: float


@dataclass(frozen=True)
class Row:
    municipio: int | None
    y: int
    segments: tuple[Segment, ...]


def _segments(parts: list[tuple[str, int]], scale_cents: int, start: float, span: float) -> tuple[Segment, ...]:
    segments, x = [], start
    for kind, cents in parts:
        if cents <= 0 or scale_cents <= 0:
            continue
        width = round(span * cents / scale_cents, 2)
        segments.append(Segment(kind, round(x, 2), width))
        x += width
    return tuple(segments)


def budget_bar(position: BudgetPosition) -> tuple[Segment, ...]:
    """The whole budget as one bar: committed, reserved, then what is left."""
    left = max(position.left_cents or 0, 0)
    scale = (position.budget_cents or 0) or position.share.used_cents
    parts = [("committed", position.committed_cents), ("reserved", position.reserved_cents), ("left", left)]
    return _segments(parts, max(scale, position.share.used_cents + left), 0, WIDTH)


def area_rows(areas: list[AreaLine]) -> tuple[tuple[Row, ...], int]:
    """A bar per Municipio (committed, then reserved), all on the scale of the largest; and the height."""
    scale = max((area.share.used_cents for area in areas), default=0)
    rows = []
    for index, area in enumerate(areas):
        share: Share = area.share
        parts = [("committed", share.committed_cents), ("reserved", share.reserved_cents)]
        segments = _segments(parts, scale, LABEL_WIDTH, WIDTH - LABEL_WIDTH)
        rows.append(Row(area.municipio, index * ROW_HEIGHT, segments))
    return tuple(rows), max(len(rows) * ROW_HEIGHT, ROW_HEIGHT)
