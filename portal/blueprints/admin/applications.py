"""Staff pages for applications: the filtered list and CSV, one application, admissibility, evaluators."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal import limits
from portal.blueprints.admin import bp
from portal.blueprints.admin.forms import AdmissibilityForm, AssignForm, FiltersForm, LaunchForm
from portal.blueprints.admin.views import csv_response
from portal.clock import now, to_rome
from portal.converters import query_int
from portal.domain import DomainError
from portal.domain.application import THEMES
from portal.domain.evaluation import evaluators_missing
from portal.domain.spreadsheet import to_csv
from portal.extensions import db
from portal.labels import APPLICATION_STATUS_LABELS, SECTION_TITLES, THEME_LABELS
from portal.models import Application, Assignment
from portal.services.applications import review
from portal.services.applications.review import ReviewError
from portal.services.editions.editions import current_edition
from portal.services.evaluation import evaluation, selection
from portal.services.places.neighbourhoods import municipi, nil_or_none

SORT_LABELS = {"protocollo": _l("Numero di protocollo"), "costo": _l("Costo, dal più alto"), "titolo": _l("Titolo")}
ALL = SelectChoice("", _l("Tutti"))


def _filters_form() -> FiltersForm:
    form = FiltersForm(request.args)
    form.stato.choices = [
        ALL,
        *(SelectChoice(s.value, label) for s, label in APPLICATION_STATUS_LABELS.items() if s in review.REVIEWABLE),
    ]
    form.municipio.choices = [ALL, *(SelectChoice(str(n), _("Municipio %(number)s", number=n)) for n in municipi())]
    form.tema.choices = [ALL, *(SelectChoice(code, THEME_LABELS[code]) for code in THEMES)]
    form.ordina.choices = [SelectChoice(code, label) for code, label in SORT_LABELS.items()]
    return form


def _filters(form: FiltersForm) -> review.Filters:
    statuses = {s.value for s in review.REVIEWABLE}
    return review.Filters(
        status=form.stato.data if form.stato.data in statuses else None,
        municipio=query_int(request.args, "municipio"),
        theme=form.tema.data if form.tema.data in THEMES else None,
        text=form.q.data if form.validate() and form.q.data else None,
        sort=form.ordina.data if form.ordina.data in SORT_LABELS else "protocollo",
    )


@bp.get("/domande")
def applications():
    edition = current_edition() or abort(404)
    form = _filters_form()
    rows = review.submitted_applications(edition, _filters(form))
    return render_template("admin/applications.html", edition=edition, form=form, rows=rows)


@bp.get("/domande.csv")
def applications_csv():
    edition = current_edition() or abort(404)
    rows = review.submitted_applications(edition, _filters(_filters_form()))
    header = (
        _("Protocollo"),
        _("Inviata il (ora di Roma)"),
        _("Organizzazione"),
        _("Codice fiscale"),
        _("Titolo"),
        _("Tema"),
        _("Municipio"),
        _("Quartiere"),
        _("Costo (euro)"),
        _("Stato"),
    )
    body = [
        (
            a.protocol_number,
            to_rome(a.submitted_at).strftime("%d/%m/%Y %H:%M"),
            a.organisation.name,
            a.organisation.codice_fiscale,
            a.title,
            THEME_LABELS.get(a.theme, a.theme),
            a.municipio,
            nil_or_none(a.nil_id).label if a.nil_id else "",
            f"{a.total_cost_cents / 100:.2f}".replace(".", ","),
            APPLICATION_STATUS_LABELS[a.status],
        )
        for a in rows
    ]
    return csv_response(to_csv(header, body), "domande.csv")


def application_or_404(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None or application.submitted_at is None:
        abort(404)
    return application


def detail_page(application: Application, **forms):
    assignments = db.session.scalars(db.select(Assignment).filter_by(application_id=application.id)).all()
    assign_form = forms.get("assign_form") or AssignForm()
    taken = {a.evaluator_id for a in assignments}
    assign_form.valutatore.choices = [
        SelectChoice(e.id, f"{e.name} ({e.email})") for e in evaluation.evaluators() if e.id not in taken
    ]
    return render_template(
        "admin/application.html",
        application=application,
        nil=nil_or_none(application.nil_id),
        split=selection.max_contribution(application) if application.total_cost_cents else None,
        assignments=assignments,
        evaluators_missing=evaluators_missing(sum(a.is_active for a in assignments)),
        admissibility_form=forms.get("admissibility_form") or AdmissibilityForm(),
        assign_form=assign_form,
        launch_form=forms.get("launch_form") or LaunchForm(),
        titles=SECTION_TITLES,
        page_has_errors=any(f.errors for f in forms.values()),
    )


@bp.get("/domande/<int:application_id>")
def application(application_id: int):
    return detail_page(application_or_404(application_id))


@bp.post("/domande/<int:application_id>/ammissibilita")
@limits.signed_in_writes
def admissibility(application_id: int):
    application = application_or_404(application_id)
    form = AdmissibilityForm()
    if form.validate_on_submit():
        try:
            review.record_admissibility(
                application.id, form.esito.data == "ammissibile", form.motivo.data, current_user, now()
            )
        except DomainError as error:
            if error.code != ReviewError.REASON_REQUIRED:
                flash(_("La verifica è già stata registrata."), "warning")
                return redirect(url_for("admin.application", application_id=application.id))
            form.motivo.errors = [_("Scrivi il motivo: lo riceve chi ha presentato la domanda")]
        else:
            flash(_("Verifica formale registrata."), "success")
            return redirect(url_for("admin.application", application_id=application.id))
    return detail_page(application, admissibility_form=form)


@bp.post("/domande/<int:application_id>/valutatori")
@limits.signed_in_writes
def assign(application_id: int):
    application = application_or_404(application_id)
    form = AssignForm()
    form.valutatore.choices = [SelectChoice(e.id, e.name) for e in evaluation.evaluators()]
    if form.validate_on_submit():
        try:
            evaluation.assign(application.id, form.valutatore.data, current_user, now())
        except DomainError:
            form.valutatore.errors = [_("Questo valutatore non può essere assegnato a questa domanda")]
        else:
            flash(_("Valutatore assegnato."), "success")
            return redirect(url_for("admin.application", application_id=application.id))
    return detail_page(application, assign_form=form)
