"""The public co-funding tracker of an edition: where the Comune's budget stands, now.

The figures, per Municipio and per state, are added up by the database (`ledger.summary_of`);
the campaigns are listed a page at a time (`?pagina=`), so the page costs the same at any size.
"""

from __future__ import annotations

from flask import abort, request

from portal.blueprints.transparency import bp, chart
from portal.clock import now
from portal.converters import query_int
from portal.labels import CAMPAIGN_STATE_LABELS, municipio_label
from portal.rendering import kept_page
from portal.services.cofunding import ledger
from portal.services.editions.editions import edition_or_404


def page_links(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers to link: the first, the last and `around` either side of `page`; None for a gap."""
    shown = sorted({1, pages, *range(max(page - around, 1), min(page + around, pages) + 1)})
    links: list[int | None] = []
    for number in shown:
        if links and number - links[-1] > 1:
            links.append(None)
        links.append(number)
    return links


@bp.get("/<lang>/bando/<int:year>/cofinanziamento")
def tracker(year: int):
    page = query_int(request.args, "pagina", 1, minimum=1)
    # The page's own parts are kept per data version: the figures and the lines change only with it.
    return kept_page("transparency/tracker.html", f"tracker.{year}.{page}", lambda: _context(year, page))


def _context(year: int, page: int) -> dict:
    edition = edition_or_404(year)
    moment = now()
    summary = ledger.public_summary(edition, moment)
    pages = ledger.page_count(summary)
    if page > pages:
        abort(404)
    rows, height = chart.area_rows(summary.areas)
    return dict(
        edition=edition,
        ledger=summary,
        lines=ledger.campaign_page(edition, moment, page) if summary.public_count else [],
        page=page,
        pages=pages,
        page_links=page_links(page, pages),
        budget_bar=chart.budget_bar(summary.position),
        area_rows=rows,
        area_height=height,
        chart_width=chart.WIDTH,
        label_width=chart.LABEL_WIDTH,
        bar_height=chart.BAR_HEIGHT,
        state_labels=CAMPAIGN_STATE_LABELS,
        municipio_label=municipio_label,
    )
