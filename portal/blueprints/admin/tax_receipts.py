"""Staff pages for donors' tax relief: checking an organisation's fiscal status (on the
application's page), and the yearly list of donors' codici fiscali and amounts for the Agenzia
delle Entrate, per organisation (CSV)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal import limits
from portal.blueprints.admin import bp
from portal.blueprints.admin.applications import application_or_404
from portal.blueprints.admin.views import csv_response
from portal.clock import now, to_rome
from portal.converters import query_int
from portal.domain import DomainError
from portal.domain.spreadsheet import to_csv
from portal.extensions import db
from portal.models import Organisation
from portal.services.applications import organisations
from portal.services.payments import receipts
from portal.services.payments.pledge_lists import euros

FIRST_YEAR, LAST_YEAR = 2016, 2100


class FiscalCheckForm(FlaskForm):
    """Only the CSRF token: the button says what staff checked."""


@bp.post("/domande/<int:application_id>/stato-fiscale")
@limits.signed_in_writes
def fiscal_check(application_id: int):
    application = application_or_404(application_id)
    if not FiscalCheckForm().validate_on_submit():
        abort(400)
    try:
        organisations.check_fiscal_status(application.organisation_id, current_user, now())
    except DomainError:
        flash(_("L'organizzazione non ha indicato una qualifica fiscale: non c'è nulla da verificare."), "warning")
    else:
        flash(_("Qualifica fiscale verificata: le ricevute dei donatori la riportano."), "success")
    return redirect(url_for("admin.application", application_id=application.id))


def _year() -> int:
    return query_int(request.args, "anno", to_rome(now()).year, minimum=FIRST_YEAR, maximum=LAST_YEAR)


@bp.get("/pagamenti/donatori")
def donors():
    """Pick an organisation and a year; the CSV follows."""
    return render_template(
        "admin/payments/donors.html",
        organisations=receipts.organisations_with_campaigns(),
        year=_year(),
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
    )


@bp.get("/pagamenti/donatori.csv")
def donors_csv():
    organisation_id = query_int(request.args, "organizzazione")
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None:
        abort(404)
    year = _year()
    header = (
        _("Codice fiscale del donatore"),
        _("Importo donato nell'anno (euro)"),
        _("Numero di donazioni"),
        _("Di cui con la nota art. 83 (euro)"),
    )
    rows = [
        (total.codice_fiscale, euros(total.amount_cents), total.donations, euros(total.relief_cents))
        for total in receipts.donors_of_year(organisation.id, year)
    ]
    return csv_response(to_csv(header, rows), f"donatori-{organisation.codice_fiscale}-{year}.csv")
