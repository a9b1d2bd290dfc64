"""Staff pages: an edition's dashboard ("Andamento dell'edizione", issue 19 item 5) and its CSV.

Staff only, like every page of the blueprint (`views.staff_only`). The figures come from one
service call (`services/aftercare/insight.py` `edition_insight`); the CSV is one row per figure,
every cell through `portal.domain.spreadsheet` (formula-looking text neutralised)."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _

from portal.blueprints.admin import bp
from portal.blueprints.admin.editions import edition_or_404
from portal.blueprints.admin.views import csv_response
from portal.clock import now
from portal.domain.insight import Quartiles, bar_chart
from portal.domain.spreadsheet import to_csv
from portal.labels import APPLICATION_STATUS_LABELS, CAMPAIGN_STATE_LABELS, PAYMENT_METHOD_LABELS, municipio_label
from portal.services.aftercare.insight import CampaignFigures, EditionInsight, campaign_lines, edition_insight


@bp.get("/edizioni/<int:year>/andamento")
def edition_insight_page(year: int):
    edition = edition_or_404(year)
    found = edition_insight(edition, now())
    return render_template(
        "admin/insight.html",
        edition=edition,
        found=found,
        status_labels=APPLICATION_STATUS_LABELS,
        state_labels=CAMPAIGN_STATE_LABELS,
        method_labels=PAYMENT_METHOD_LABELS,
        municipio_label=municipio_label,
        municipi_chart=bar_chart([area.campaigns for area in found.municipi]),
        raised_chart=bar_chart([area.raised_cents for area in found.municipi]),
        mix_chart=bar_chart([line.percent for line in found.payment_mix]),
    )


# --- the CSV ------------------------------------------------------------------------------------

# The columns and units stay the same in either language (a program reads them); the labels follow the page's.
HEADER = ("sezione", "chiave", "etichetta", "valore", "unità")
NUMBER, CENTS, PERCENT, DAYS = "numero", "centesimi di euro", "percentuale", "giorni"


def _spread(section: str, name: str, label: str, unit: str, spread: Quartiles | None) -> list[tuple]:
    if spread is None:
        return []
    return [
        (section, f"{name}_quartile_inferiore", _("%(figure)s: primo quartile", figure=label), spread.lower, unit),
        (section, f"{name}_mediana", _("%(figure)s: mediana", figure=label), spread.median, unit),
        (section, f"{name}_quartile_superiore", _("%(figure)s: terzo quartile", figure=label), spread.upper, unit),
        (section, f"{name}_minimo", _("%(figure)s: minimo", figure=label), spread.smallest, unit),
        (section, f"{name}_massimo", _("%(figure)s: massimo", figure=label), spread.largest, unit),
        (section, f"{name}_campagne", _("%(figure)s: campagne contate", figure=label), spread.count, NUMBER),
    ]


def csv_rows(found: EditionInsight, campaigns: list[CampaignFigures]) -> list[tuple]:
    """(sezione, chiave, etichetta, valore, unità): numbers as they are, money in cents."""
    rows: list[tuple] = []
    for status, count in found.applications_by_status:
        rows.append(("domande", status.value, str(APPLICATION_STATUS_LABELS[status]), count, NUMBER))
    for state, count in found.campaigns_by_state:
        rows.append(("campagne", state.value, str(CAMPAIGN_STATE_LABELS[state]), count, NUMBER))
    rows += [
        ("soldi", "raccolti_confermati", _("Raccolti (sostegni confermati)"), found.raised_cents, CENTS),
        ("soldi", "in_attesa", _("Promessi, in attesa di pagamento"), found.pending_cents, CENTS),
        ("soldi", "contributo_impegnato", _("Contributo del Comune impegnato"), found.committed_cents, CENTS),
        ("soldi", "contributo_erogato", _("Contributo del Comune erogato"), found.paid_cents, CENTS),
    ]
    for area in found.municipi:
        key = "non_indicato" if area.municipio is None else str(area.municipio)
        label = municipio_label(area.municipio)
        rows += [
            ("municipio_domande", key, label, area.applications, NUMBER),
            ("municipio_campagne", key, label, area.campaigns, NUMBER),
            ("municipio_raccolti", key, label, area.raised_cents, CENTS),
            ("municipio_contributo_impegnato", key, label, area.committed_cents, CENTS),
            ("municipio_contributo_erogato", key, label, area.paid_cents, CENTS),
        ]
    for place in found.nils:
        key = "non_indicato" if place.nil_id is None else str(place.nil_id)
        label = place.name or _("NIL non indicato")
        rows += [
            ("nil_domande", key, label, place.applications, NUMBER),
            ("nil_campagne", key, label, place.campaigns, NUMBER),
            ("nil_raccolti", key, label, place.raised_cents, CENTS),
        ]
    for line in found.payment_mix:
        label = str(PAYMENT_METHOD_LABELS[line.method])
        rows += [
            ("pagamenti_numero", line.method.value, label, line.pledges, NUMBER),
            ("pagamenti_importo", line.method.value, label, line.amount_cents, CENTS),
            ("pagamenti_quota", line.method.value, label, line.percent, PERCENT),
        ]
    rows += [
        ("esiti", "concluse", _("Campagne concluse"), found.ended, NUMBER),
        ("esiti", "concluse_con_successo", _("Campagne concluse con successo"), found.succeeded, NUMBER),
    ]
    if found.success_rate is not None:
        rows.append(("esiti", "tasso_di_successo", _("Tasso di successo"), found.success_rate, PERCENT))
    rows += _spread("esiti", "giorni_alla_soglia", _("Giorni per raggiungere la soglia"), DAYS, found.days_to_threshold)
    rows += _spread(
        "esiti", "sostenitori_per_campagna", _("Sostenitori per campagna"), NUMBER, found.supporters_per_campaign
    )
    after = "dopo_la_raccolta"
    rows += [
        (after, "rendiconti_finali_attesi", _("Rendiconti finali attesi"), found.final_reports_expected, NUMBER),
        (after, "rendiconti_finali_in_ritardo", _("Rendiconti finali in ritardo"), found.reports_overdue, NUMBER),
        (after, "tappe", _("Tappe dei progetti"), found.milestones, NUMBER),
        (after, "tappe_in_ritardo", _("Tappe in ritardo"), found.milestones_late, NUMBER),
    ]
    for line in campaigns:  # titles and names come from organisations: to_csv neutralises formulas
        label = f"{line.title} – {line.organisation}"
        rows += [
            ("campagna_sostenitori", line.slug, label, line.supporters, NUMBER),
            ("campagna_raccolti", line.slug, label, line.raised_cents, CENTS),
        ]
        if line.days_to_threshold is not None:
            rows.append(("campagna_giorni_alla_soglia", line.slug, label, line.days_to_threshold, DAYS))
    return rows


@bp.get("/edizioni/<int:year>/andamento.csv")
def edition_insight_csv(year: int):
    edition = edition_or_404(year)
    moment = now()
    rows = csv_rows(edition_insight(edition, moment), campaign_lines(edition, moment))
    return csv_response(to_csv(HEADER, rows), f"andamento-edizione-{year}.csv")
