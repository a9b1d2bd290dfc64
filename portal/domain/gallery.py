"""The public gallery's filters, sorts and pages, read from a query string; and the campaigns
staff feature (shown first while live).

Whatever the query string holds, reading it never fails: a value that is unknown or
malformed (``municipio=abc``, ``pagina=-1``, ``ordina=zzz``, a NUL byte, a search too
long) is dropped, the other filters are kept, and the names of the dropped ones are
returned so the page can say so.
"""

from __future__ import annotations

import enum
import math
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from portal.domain import DomainError
from portal.domain.campaign import CampaignState

PER_PAGE = 12
MAX_TEXT = 100  # characters of a search
MAX_PAGE = 100_000  # beyond any real gallery: larger numbers are malformed, not "the last page"
PAGE_WINDOW = 2  # page links shown on each side of the current one

_DIGITS = re.compile(r"[0-9]{1,9}")


class Sort(enum.Enum):
    NEWEST = "recenti"
    CLOSING = "in_scadenza"
    SUPPORTED = "piu_sostenuti"
    NEAREST = "vicini_soglia"  # closest to the citizens' target

    @property
    def is_default(self) -> bool:
        """The gallery's order when none is asked for: left out of links."""
        return self is Sort.NEWEST

    @property
    def puts_featured_first(self) -> bool:
        """The default order leads with the campaigns in the spotlight (`in_spotlight`), whatever the
        filters (a filter narrows them too); an order a visitor chose ("in scadenza", "più sostenute",
        "più vicine alla soglia") is kept as asked, the featured cards marked where they fall."""
        return self.is_default


# The states in the query string (Italian, like the rest of the portal's URLs).
STATE_PARAMS: dict[str, CampaignState] = {
    "in_arrivo": CampaignState.UPCOMING,
    "in_corso": CampaignState.LIVE,
    "cofinanziati": CampaignState.COFUNDED,
    "conclusi": CampaignState.SUCCEEDED,
    "non_finanziati": CampaignState.NOT_FUNDED,
}
PARAM_OF_STATE = {state: param for param, state in STATE_PARAMS.items()}

# Query-string names, in the order the form shows them.
PARAMS = ("q", "edizione", "municipio", "nil", "tema", "stato", "ordina", "pagina")


@dataclass(frozen=True)
class Filters:
    text: str | None = None
    edition: int | None = None  # year
    municipio: int | None = None
    nil: int | None = None
    theme: str | None = None
    state: CampaignState | None = None
    sort: Sort = Sort.NEWEST
    page: int = 1
    ignored: tuple[str, ...] = ()  # query-string names whose values were dropped

    @property
    def is_filtered(self) -> bool:
        return any(v is not None for v in (self.text, self.edition, self.municipio, self.nil, self.theme, self.state))

    @property
    def is_customised(self) -> bool:
        """Filtered, or sorted other than by default: there is something to clear."""
        return self.is_filtered or not self.sort.is_default

    def args(self, **changes: object) -> dict[str, str]:
        """The query string of this view with some values changed (None removes one), defaults left out.

        Any change of filter or sort goes back to the first page unless a page is given."""
        if "page" not in changes and changes:
            changes["page"] = 1
        view = replace(self, **changes)
        values = {
            "q": view.text,
            "edizione": view.edition,
            "municipio": view.municipio,
            "nil": view.nil,
            "tema": view.theme,
            "stato": PARAM_OF_STATE[view.state] if view.state else None,
            "ordina": None if view.sort.is_default else view.sort.value,
            "pagina": view.page if view.page and view.page > 1 else None,
        }
        return {name: str(value) for name, value in values.items() if value is not None}


def parse_filters(
    args: Mapping[str, str],
    *,
    years: Collection[int],
    themes: Collection[str],
    municipi: Collection[int],
    nil_ids: Collection[int],
) -> Filters:
    """The filters of a query string; `years`, `themes`, `municipi` and `nil_ids` are the values that exist."""
    ignored: list[str] = []

    def given(name: str) -> str | None:
        value = args.get(name)
        return value if value not in (None, "") else None

    def number(name: str, allowed: Collection[int]) -> int | None:
        raw = given(name)
        if raw is None:
            return None
        value = _small_int(raw)
        if value is None or value not in allowed:
            ignored.append(name)
            return None
        return value

    def choice(name: str, allowed: Mapping[str, object] | Collection[str]):
        raw = given(name)
        if raw is None:
            return None
        key = raw.strip()
        if key not in allowed:
            ignored.append(name)
            return None
        return allowed[key] if isinstance(allowed, Mapping) else key

    text = _search_text(given("q"))
    if text is False:
        ignored.append("q")
        text = None
    edition = number("edizione", years)
    municipio = number("municipio", municipi)
    nil = number("nil", nil_ids)
    theme = choice("tema", themes)
    state = choice("stato", STATE_PARAMS)
    sort = choice("ordina", {sort.value: sort for sort in Sort}) or Sort.NEWEST
    page = number("pagina", range(1, MAX_PAGE + 1)) or 1
    return Filters(text, edition, municipio, nil, theme, state, sort, page, tuple(ignored))


def _small_int(raw: str) -> int | None:
    """A non-negative whole number of a few digits, or None (no sign, no exponent, no 10**5000)."""
    raw = raw.strip()
    return int(raw) if _DIGITS.fullmatch(raw) else None


def _search_text(raw: str | None) -> str | None | bool:
    """The search with control characters removed and spaces collapsed; None when empty, False when too long."""
    if raw is None:
        return None
    cleaned = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C" or ch in " \t")
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        return None
    return cleaned if len(cleaned) <= MAX_TEXT else False


def page_count(total: int, per_page: int = PER_PAGE) -> int:
    """At least one page, even when empty."""
    return max(1, math.ceil(total / per_page))


def page_links(current: int, pages: int, window: int = PAGE_WINDOW) -> list[int | None]:
    """The pages to link: the first, the last, and `window` around the current one; None marks a gap
    (a gap of a single page shows that page instead)."""
    shown = {1, pages, *range(max(1, current - window), min(pages, current + window) + 1)}
    shown |= {page + 1 for page in shown if page + 2 in shown}
    links: list[int | None] = []
    previous = 0
    for page in sorted(shown):
        if previous and page - previous > 1:
            links.append(None)
        links.append(page)
        previous = page
    return links


def page_slices(sizes: Sequence[int], page: int, per_page: int = PER_PAGE) -> list[tuple[int, int, int]]:
    """The parts of an order a page covers, given how many rows each part holds: (the part's number,
    the offset within the part, how many rows), in order. The gallery reads each from its own index."""
    offset = (page - 1) * per_page
    slices = []
    start = 0
    for number, size in enumerate(sizes):
        first, last = max(offset, start), min(offset + per_page, start + size)
        if first < last:
            slices.append((number, first - start, last - first))
        start += size
    return slices


def shade(count: int, highest: int, levels: int = 4) -> int:
    """The map's colour step for an area: 0 with no project, up to `levels - 1` for the busiest."""
    if count <= 0 or highest <= 0:
        return 0
    return max(1, math.ceil((levels - 1) * min(count, highest) / highest))


# --- featured campaigns ---------------------------------------------------------------------------


class FeaturingError(StrEnum):
    NOT_PUBLISHED = "not_published"  # staff have not published it: nothing to show first
    OVER = "over"  # its window has closed: it would never be shown first again
    ALREADY_FEATURED = "already_featured"
    NOT_FEATURED = "not_featured"


def in_spotlight(featured: bool, state: CampaignState) -> bool:
    """Whether a campaign staff featured is shown first, marked "In evidenza": while it is live
    (its window open, pledges taken, co-funded or not). Before it opens it waits among the upcoming
    ones; once over it is an ordinary closed campaign, its `featured_at` kept as history."""
    return featured and state.is_open


def check_featurable(published: bool, state: CampaignState) -> None:
    """Staff may feature a published campaign that is live or about to open (it goes first once it
    opens); featuring one not published or already over is refused."""
    if not published:
        raise DomainError(FeaturingError.NOT_PUBLISHED)
    if state.is_over:
        raise DomainError(FeaturingError.OVER)
