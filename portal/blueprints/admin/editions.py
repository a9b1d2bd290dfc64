"""Staff pages for editions: a new year copied from an earlier one; figures, dates, legal forms, criteria."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from portal import limits, upload_messages
from portal.blueprints.admin import bp
from portal.blueprints.admin.forms import (
    CONDITION_LABELS,
    INSTALMENT_ROWS,
    CopyEditionForm,
    DocumentForm,
    DocumentOrderForm,
    EditionForm,
)
from portal.clock import now
from portal.domain import DomainError
from portal.domain.aftercare import DEFAULT_PLAN, AftercareError, InstalmentCondition, PlannedInstalment
from portal.domain.application import MAX_ATTACHMENT_BYTES
from portal.domain.cofunding import BudgetError
from portal.domain.eligibility import LEGAL_FORMS
from portal.domain.evaluation import rubric_outside_scale
from portal.domain.money import to_input
from portal.extensions import db
from portal.i18n import money
from portal.labels import LEGAL_FORM_LABELS
from portal.models import DocumentKind, Edition
from portal.services.editions import documents, edition_admin
from portal.services.editions.documents import DocumentError
from portal.services.evaluation import evaluation


def edition_or_404(year: int) -> Edition:
    """Any edition, published or not (staff's pages); 404 for a year there is none of."""
    return db.session.scalars(db.select(Edition).filter_by(year=year)).one_or_none() or abort(404)


@bp.route("/edizioni", methods=["GET", "POST"])
@limits.signed_in_writes
def editions():
    form = CopyEditionForm()
    rows = db.session.scalars(db.select(Edition).order_by(Edition.year.desc())).all()
    if form.validate_on_submit():
        try:
            edition = edition_admin.copy_edition(rows[0], form.anno.number, current_user, now())
        except DomainError:
            form.anno.errors = [_("Esiste già un'edizione per questo anno")]
        else:
            flash(
                _(
                    "Edizione %(year)d creata da quella del %(source)d: controlla cifre e date.",
                    year=edition.year,
                    source=rows[0].year,
                ),
                "success",
            )
            return redirect(url_for("admin.edition", year=edition.year))
    return render_template("admin/editions.html", rows=rows, form=form, page_has_errors=bool(form.errors))


def _fill(form: EditionForm, edition: Edition) -> None:
    settings = edition_admin.settings_of(edition)
    form.ultimo_giorno.data = settings.last_day.strftime("%d/%m/%Y") if settings.last_day else ""
    form.costo_massimo.data = to_input(settings.max_cost_cents)
    form.tetto.data = to_input(settings.match_cap_cents)
    form.budget.data = to_input(settings.budget_cents)
    for field, value in (
        (form.durata_massima, settings.max_duration_months),
        (form.giorni_campagna, settings.campaign_days),
        (form.soglia, settings.threshold_percent),
        (form.quota_comune, settings.match_percent),
        (form.preparazione_minima, settings.readiness_minimum),
        (form.giorni_relazione, settings.final_report_days),
    ):
        field.data = "" if value is None else str(value)
    form.forme.data = settings.eligible_legal_forms
    form.pubblicata.data = settings.is_published
    form.esiti_entro.data = settings.results_expected_on.strftime("%d/%m/%Y") if settings.results_expected_on else ""
    form.budget_minimo.data = settings.budget_is_floor
    while len(form.rate):
        form.rate.pop_entry()
    for planned in settings.instalment_plan:
        form.rate.append_entry({"percentuale": str(planned.percent), "condizione": planned.condition.value})
    while len(form.rate) < INSTALMENT_ROWS:
        form.rate.append_entry()
    while len(form.criteri):
        form.criteri.pop_entry()
    for c in evaluation.criteria_of(edition):
        form.criteri.append_entry(
            {
                "etichetta_it": c.label_it,
                "etichetta_en": c.label_en,
                "peso": str(c.weight),
                "massimo": str(c.max_score),
                "griglia_it": c.rubric_it or "",
                "griglia_en": c.rubric_en or "",
            }
        )


@bp.route("/edizioni/<int:year>", methods=["GET", "POST"])
@limits.signed_in_writes
def edition(year: int):
    edition = edition_or_404(year)
    form = EditionForm()
    form.forme.choices = [SelectChoice(code, LEGAL_FORM_LABELS[code]) for code in LEGAL_FORMS]
    if not form.is_submitted():
        _fill(form, edition)
    elif all([form.validate(), _instalments_complete(form)]) and _rows_complete(form):
        settings = edition_admin.EditionSettings(
            last_day=form.ultimo_giorno.date,
            max_cost_cents=form.costo_massimo.cents,
            max_duration_months=form.durata_massima.number,
            campaign_days=form.giorni_campagna.number,
            threshold_percent=form.soglia.number,
            match_percent=form.quota_comune.number,
            match_cap_cents=form.tetto.cents,
            budget_cents=form.budget.cents,
            eligible_legal_forms=[code for code in form.forme.data or [] if code in LEGAL_FORMS],
            is_published=form.pubblicata.data,
            results_expected_on=form.esiti_entro.date,
            budget_is_floor=form.budget_minimo.data,
            readiness_minimum=form.preparazione_minima.number,
            instalment_plan=_plan(form),
            final_report_days=form.giorni_relazione.number,
        )
        criteria = [
            edition_admin.CriterionSettings(
                row.etichetta_it.data,
                row.etichetta_en.data,
                row.peso.number,
                row.massimo.number,
                rubric_it=row.griglia_it.data or None,
                rubric_en=row.griglia_en.data or None,
            )
            for row in (entry.form for entry in form.criteri)
            if not row.is_blank
        ]
        try:
            edition_admin.update_edition(edition, settings, criteria, current_user, now())
        except DomainError as error:
            if error.code == BudgetError.BELOW_HELD:
                form.budget.errors = [
                    _(
                        "Il budget non può essere inferiore a %(held)s: tanto è già riservato o impegnato.",
                        held=money(error.params["held"]),
                    )
                ]
            elif error.code in (AftercareError.PLAN_NOT_100, AftercareError.PLAN_EMPTY):
                form.rate.errors = [
                    _(
                        "Le percentuali delle rate devono sommare 100: ora sommano %(total)d.",
                        total=error.params.get("total", 0),
                    )
                ]
            else:
                form.criteri.errors = [_("Ci sono già valutazioni con questi criteri: non si possono più cambiare")]
        else:
            flash(_("Edizione salvata."), "success")
            return redirect(url_for("admin.edition", year=edition.year))
    while sum(1 for e in form.criteri if e.form.is_blank) < 2 and len(form.criteri) < form.criteri.max_entries:
        form.criteri.append_entry()
    return render_template(
        "admin/edition.html",
        edition=edition,
        form=form,
        held_cents=edition_admin.held_cents(edition, now()),
        documents=documents.documents_of(edition),
        default_plan=DEFAULT_PLAN,
        condition_labels=CONDITION_LABELS,
        page_has_errors=bool(form.errors),
    )


def _plan(form: EditionForm) -> tuple[PlannedInstalment, ...]:
    """The instalment rows filled in, in order; none: the default plan."""
    return tuple(
        PlannedInstalment(row.percentuale.number, InstalmentCondition(row.condizione.data))
        for row in (entry.form for entry in form.rate)
        if row.is_complete
    )


def _instalments_complete(form: EditionForm) -> bool:
    """Each instalment row is empty, or has both its percentage and its condition."""
    ok = True
    for row in (entry.form for entry in form.rate):
        if row.is_blank or row.is_complete or row.percentuale.errors:
            continue
        missing = row.condizione if not row.condizione.data else row.percentuale
        missing.errors = [*missing.errors, _("Completa la rata: percentuale e quando si paga")]
        ok = False
    return ok


def _rows_complete(form: EditionForm) -> bool:
    ok = True
    for row in (entry.form for entry in form.criteri):
        if row.is_blank:
            continue
        for field in (row.etichetta_it, row.etichetta_en, row.peso, row.massimo):
            if not (field.data or "").strip():
                field.errors = [*field.errors, _("Completa il criterio: nome in italiano e in inglese, peso, massimo")]
                ok = False
        if row.massimo.number is None:
            continue
        for field in (row.griglia_it, row.griglia_en):
            if rubric_outside_scale(field.data, row.massimo.number):
                field.errors = [
                    *field.errors,
                    _(
                        "La griglia indica punteggi oltre il massimo del criterio (%(max)d): correggi le fasce",
                        max=row.massimo.number,
                    ),
                ]
                ok = False
    return ok


# --- the edition's official documents ------------------------------------------------------

KIND_LABELS = {
    DocumentKind.CALL: _l("Bando"),
    DocumentKind.FAQ: _l("Domande frequenti (FAQ)"),
    DocumentKind.ANNEX: _l("Allegato"),
    DocumentKind.RANKING: _l("Graduatoria"),
}
UPLOAD_PROBLEMS = {
    **upload_messages.UPLOAD_PROBLEMS,
    DocumentError.TOO_MANY: _l("L'edizione ha già %(limit)d documenti: elimina quelli che non servono più"),
}


def _document_form() -> DocumentForm:
    form = DocumentForm()
    form.tipo.choices = [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]
    return form


def _documents_page(edition: Edition, form: DocumentForm, status: int = 200):
    return render_template(
        "admin/documents.html",
        edition=edition,
        form=form,
        documents=documents.documents_of(edition),
        kind_labels=KIND_LABELS,
        listed_ids={d.id for d in documents.listed(edition, now())},
        size_label=documents.size_label,
        format_label=documents.format_label,
        order_form=DocumentOrderForm(formdata=None),
        remove_form=FlaskForm(),
        max_mb=MAX_ATTACHMENT_BYTES // (1024 * 1024),
        page_has_errors=bool(form.errors),
    ), status


@bp.route("/edizioni/<int:year>/documenti", methods=["GET", "POST"])
@limits.signed_in_writes
def edition_documents(year: int):
    edition = edition_or_404(year)
    form = _document_form()
    if form.validate_on_submit():
        settings = documents.DocumentSettings(
            kind=DocumentKind(form.tipo.data),
            title_it=form.titolo_it.data,
            title_en=form.titolo_en.data,
            position=form.ordine.number,
        )
        try:
            filename, content = upload_messages.one_file()
            documents.add(edition, settings, filename, content, current_user, now())
        except DomainError as error:
            form.file.errors = [str(UPLOAD_PROBLEMS[error.code]) % error.params]
        else:
            flash(_("Documento caricato."), "success")
            return redirect(url_for("admin.edition_documents", year=edition.year))
    return _documents_page(edition, form)


@bp.post("/edizioni/<int:year>/documenti/<int:document_id>/ordine")
@limits.signed_in_writes
def edition_document_order(year: int, document_id: int):
    edition = edition_or_404(year)
    form = DocumentOrderForm()
    if not form.validate_on_submit():
        flash(_("Scrivi la posizione, un numero da 1 a 99"), "warning")
    else:
        try:
            documents.move(edition, document_id, form.ordine.number, current_user, now())
        except DomainError:
            abort(404)
        flash(_("Ordine dei documenti aggiornato."), "success")
    return redirect(url_for("admin.edition_documents", year=edition.year))


@bp.post("/edizioni/<int:year>/documenti/<int:document_id>/elimina")
@limits.signed_in_writes
def edition_document_remove(year: int, document_id: int):
    edition = edition_or_404(year)
    if not FlaskForm().validate_on_submit():
        flash(_("La richiesta non è valida: ricarica la pagina e riprova."), "warning")
    else:
        try:
            documents.remove(edition, document_id, current_user, now())
        except DomainError:
            abort(404)
        flash(_("Documento eliminato."), "success")
    return redirect(url_for("admin.edition_documents", year=edition.year))
