"""The public co-funding tracker of an edition: where the Comune's budget stands, now."""

from __future__ import annotations

from flask import render_template

from portal.blueprints.transparency import bp, chart
from portal.clock import now
from portal.labels import CAMPAIGN_STATE_LABELS, THEME_LABELS, municipio_label
from portal.services.cofunding.ledger import ledger_of
from portal.services.editions.editions import edition_or_404
from portal.services.places.neighbourhoods import nil_or_none


@bp.get("/<lang>/bando/<int:year>/cofinanziamento")
def tracker(year: int):
    edition = edition_or_404(year)
    ledger = ledger_of(edition, now())
    rows, height = chart.area_rows(ledger.areas)
    return render_template(
        "transparency/tracker.html",
        edition=edition,
        ledger=ledger,
        budget_bar=chart.budget_bar(ledger.position),
        area_rows=rows,
        area_height=height,
        chart_width=chart.WIDTH,
        label_width=chart.LABEL_WIDTH,
        bar_height=chart.BAR_HEIGHT,
        state_labels=CAMPAIGN_STATE_LABELS,
        theme_labels=THEME_LABELS,
        municipio_label=municipio_label,
        nil_of=nil_or_none,
    )
