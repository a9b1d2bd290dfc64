"""The public gallery of campaigns (`/it/progetti`): filters, cards, pages and the map of the city.

One view, one template: htmx asks for the results block (and the announcement) with the
same query string, so a filtered view is a shareable URL that renders the same results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal import link_previews
from portal.blueprints.campaigns import bp
from portal.blueprints.campaigns.labels import STATE_FILTER_LABELS
from portal.clock import now
from portal.domain.application import THEMES
from portal.domain.gallery import MAX_TEXT, PARAM_OF_STATE, Filters, Sort, page_links, parse_filters, shade
from portal.i18n import current_lang
from portal.labels import CAMPAIGN_STATE_LABELS, THEME_LABELS
from portal.rendering import kept_page
from portal.services import data_version
from portal.services.campaigns import gallery as galleries
from portal.services.places import city_map
from portal.services.places.neighbourhoods import all_nil, grouped_choices, municipi

# Every order shows the campaigns in corso first, then those in arrivo, then those concluse
# (portal.services.campaigns.gallery._phases); the sort orders each group.
SORT_LABELS = {
    Sort.NEWEST: _l("Più recenti"),
    Sort.CLOSING: _l("In scadenza"),
    Sort.NEAREST: _l("Più vicine alla soglia dei cittadini"),
    Sort.SUPPORTED: _l("Più sostenute"),
}
FIELD_LABELS = {
    "edizione": _l("edizione"),
    "municipio": _l("Municipio"),
    "nil": _l("quartiere (NIL)"),
    "tema": _l("tema"),
    "stato": _l("stato"),
    "ordina": _l("ordinamento"),
    "pagina": _l("pagina"),
}
RESULTS_ANCHOR = "risultati"


@dataclass(frozen=True)
class MapArea:
    """A Municipio or NIL on the map and in its table."""

    id: int
    name: str
    count: int
    href: str
    d: str | None = None  # None: listed in the table, not drawn (a NIL drawn with another Municipio)
    x: float = 0
    y: float = 0
    shade: int = 0
    current: bool = False


@dataclass(frozen=True)
class MapView:
    viewbox: str
    municipio: int | None  # the Municipio whose NIL are shown; None for the whole city
    areas: list[MapArea]  # drawn and listed
    extra: list[MapArea]  # listed only
    outline: str | None  # the selected Municipio's outline, over its NIL
    back_href: str | None
    source: str

    @property
    def text_size(self) -> float:
        """Labels in the units of the viewBox: about the same size on screen in either view."""
        return round(int(self.viewbox.split()[2]) / 28, 1)


@bp.get("/progetti")
def gallery():
    years = galleries.edition_years()
    filters = parse_filters(request.args, years=years, themes=THEMES, municipi=municipi(), nil_ids=all_nil())
    # Without a text search the page is one of a few: its parts (and within them its map and cards)
    # are kept per data version; with one, only the cards are.
    kept_key = None if filters.text else f"gallery.{filters!r}"
    return kept_page(
        "campaigns/gallery.html", kept_key, lambda: _context(filters, years, kept_key), ("results", "gallery_status")
    )


def _context(filters: Filters, years, kept_key: str | None) -> dict:
    result = galleries.gallery(filters, now())
    city = (
        data_version.memo(f"{kept_key}.map.{current_lang()}", lambda: _map_view(filters, result.counts))
        if kept_key
        else _map_view(filters, result.counts)
    )
    return dict(
        filters=filters,
        result=result,
        years=years,
        notices=_notices(filters, result),
        city=city,
        kept_key=kept_key,
        page_links=page_links(result.page, result.pages),
        municipi=municipi(),
        nil_groups=grouped_choices(),
        theme_labels={code: THEME_LABELS[code] for code in THEMES},
        state_labels=CAMPAIGN_STATE_LABELS,
        state_filter_labels=STATE_FILTER_LABELS,
        state_params=PARAM_OF_STATE,
        sort_labels=SORT_LABELS,
        results_anchor=RESULTS_ANCHOR,
        link_preview=link_previews.gallery_preview(now()),
    )


def _notices(filters: Filters, result: galleries.GalleryPage) -> list[str]:
    """Polite words for what the query string asked and the page could not do."""
    notices = []
    if "q" in filters.ignored:
        notices.append(_("La ricerca è troppo lunga (al massimo %(max)d caratteri): è stata ignorata.", max=MAX_TEXT))
    names = ", ".join(str(FIELD_LABELS[name]) for name in filters.ignored if name in FIELD_LABELS)
    if names:
        notices.append(_("Alcuni valori dell'indirizzo non sono validi e sono stati ignorati: %(names)s.", names=names))
    nil = all_nil().get(filters.nil) if filters.nil is not None else None
    if nil and filters.municipio and nil.municipio != filters.municipio and not result.total:
        notices.append(
            _(
                "Il quartiere %(nil)s è nel Municipio %(number)d: togli il filtro del Municipio o del quartiere "
                "per vedere i suoi progetti.",
                nil=nil.label,
                number=nil.municipio,
            )
        )
    if result.page_out_of_range:
        notices.append(_("La pagina richiesta non esiste: ecco l'ultima pagina dei risultati."))
    return notices


_PATH_TOKEN = re.compile(r"[MLZ]|-?[0-9]*\.?[0-9]+")


# The whole city's map snaps its outlines to whole units (≈ 18.7 m, under 0.6 px on screen at its
# largest: the map note says so); a Municipio's NIL, drawn larger, keep the tenth of the data.
CITY_GRID = 10  # tenths of a unit
NIL_GRID = 1


@lru_cache(maxsize=256)
def compact_path(d: str, grid: int = NIL_GRID) -> str:
    """The same outline in relative coordinates ("l9.5-1.3" for "L646.4,340.6"), snapped to `grid`
    tenths of a unit: the map is most of what every filtered view sends again, and this takes a
    third of its bytes (at the data's tenth, not a point moved). Path data other than M/L/Z is left
    as it is."""
    tokens = _PATH_TOKEN.findall(d)
    if not tokens or tokens[0] != "M" or "".join(tokens) != re.sub(r"[\s,]+", "", d):
        return d
    subpaths: list[tuple[list[tuple[int, int]], list[bool]]] = []  # points in tenths, closed
    pending: list[int] = []
    for token in tokens:
        if token == "M":
            subpaths.append(([], [False]))
        elif token == "Z":
            subpaths[-1][1][0] = True
        elif token != "L":
            if subpaths[-1][1][0]:
                return d  # a line on from a closed outline without a move: not this map's data
            pending.append(round(float(token) * 10 / grid) * grid)
            if len(pending) == 2:
                subpaths[-1][0].append((pending[0], pending[1]))
                pending = []
    if pending or any(not points for points, _ in subpaths):
        return d
    out: list[str] = []
    x = y = 0
    for index, (points, closed) in enumerate(subpaths):
        lines = 0
        for n, (px, py) in enumerate(points):
            if n and (px, py) == (x, y):
                continue  # snapped onto the point before
            pair = _pair(px - x, py - y)
            out.append(("m" if index else "M") + pair if n == 0 else "l" + pair if not lines else _joined(pair))
            lines += n > 0
            x, y = px, py
        if closed[0]:
            out.append("z")
            x, y = points[0]
    return "".join(out)


def _number(tenths: int) -> str:
    whole, tenth = divmod(abs(tenths), 10)
    text = (str(whole) if whole else "") + (f".{tenth}" if tenth else "")
    return ("-" if tenths < 0 else "") + (text or "0")


def _joined(text: str) -> str:
    return text if text.startswith("-") else " " + text


def _pair(dx: int, dy: int) -> str:
    return _number(dx) + _joined(_number(dy))


def _href(filters: Filters, **changes: object) -> str:
    return url_for("campaigns.gallery", _anchor=RESULTS_ANCHOR, **filters.args(**changes))


def _map_view(filters: Filters, counts: galleries.Counts) -> MapView:
    drawing = city_map.city_map()
    selected = filters.municipio
    if selected is None:
        numbers = {area.id: counts.municipio(area.id) for area in drawing.municipi}
        highest = max(numbers.values(), default=0)
        areas = [
            MapArea(
                id=area.id,
                name=_("Municipio %(number)d", number=area.id),
                count=numbers[area.id],
                href=_href(filters, municipio=area.id, nil=None),
                d=compact_path(area.d, CITY_GRID),
                x=area.label[0],
                y=area.label[1],
                shade=shade(numbers[area.id], highest),
            )
            for area in drawing.municipi
        ]
        return MapView(" ".join(map(str, drawing.viewbox)), None, areas, [], None, None, drawing.source)

    nil_areas = city_map.nil_areas(selected)
    drawn = {area.id for area in nil_areas}
    highest = max((counts.nil(selected, area.id) for area in nil_areas), default=0)
    names = all_nil()
    areas = [
        MapArea(
            id=area.id,
            name=names[area.id].label if area.id in names else area.name,
            count=counts.nil(selected, area.id),
            href=_href(filters, municipio=selected, nil=area.id),
            d=compact_path(area.d),
            x=area.label[0],
            y=area.label[1],
            shade=shade(counts.nil(selected, area.id), highest),
            current=area.id == filters.nil,
        )
        for area in nil_areas
    ]
    # Campaigns of this Municipio in a NIL drawn with its prevalent neighbour: listed, not drawn.
    extra = [
        MapArea(
            id=nil_id,
            name=names[nil_id].label if nil_id in names else str(nil_id),
            count=counts.nil(selected, nil_id),
            href=_href(filters, municipio=selected, nil=nil_id),
            current=nil_id == filters.nil,
        )
        for nil_id in sorted(counts.nil_ids_in(selected) - drawn)
    ]
    # A Municipio in the data but not yet in the drawing (scripts/build_map.py): its NIL are listed.
    municipio = next((area for area in drawing.municipi if area.id == selected), None)
    return MapView(
        viewbox=" ".join(map(str, municipio.viewbox if municipio else drawing.viewbox)),
        municipio=selected,
        areas=areas,
        extra=extra,
        outline=compact_path(municipio.d) if municipio else None,
        back_href=_href(filters, municipio=None, nil=None),
        source=drawing.source,
    )
