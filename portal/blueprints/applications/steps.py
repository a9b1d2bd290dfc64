"""The application's home, task list and form steps: each saved whole, as a draft or to continue."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_time, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from portal import limits
from portal.blueprints.applications import bp
from portal.blueprints.applications.access import applicant_required, organisation_required, own_application
from portal.blueprints.applications.forms import (
    BudgetForm,
    CampaignForm,
    ProjectForm,
    TimelineForm,
    require,
)
from portal.clock import now, to_rome
from portal.domain import DomainError
from portal.domain.application import SECTIONS, ApplicationError, BudgetLine
from portal.domain.money import to_input
from portal.i18n import money
from portal.labels import SECTION_TITLES
from portal.models import Application
from portal.rendering import form_page
from portal.services.applications import applications
from portal.services.editions.editions import current_edition
from portal.services.places.neighbourhoods import nil_or_none

BLANK_ROWS = 3  # empty budget and reward rows offered after the filled ones (more: "Aggiungi righe")
MONEY_PARAMS = ("total", "max_cost")


@bp.get("/")
@applicant_required
def home():
    edition = current_edition()
    organisation = current_user.organisation
    items = applications.applications_of(organisation.id) if organisation else []
    active = applications.active_application(organisation.id, edition) if organisation and edition else None
    return render_template(
        "applications/home.html",
        edition=edition,
        organisation=organisation,
        nil=nil_or_none(organisation.nil_id) if organisation else None,
        items=items,
        active=active,
        resume=applications.first_incomplete(active) if active and active.is_editable else None,
        now=now(),
    )


@bp.get("/riprendi")
@applicant_required
def resume():
    """Where an applicant coming back starts: the first section still to complete."""
    edition = current_edition()
    if current_user.organisation_id is None:
        return redirect(url_for("applications.organisation"))
    active = applications.active_application(current_user.organisation_id, edition) if edition else None
    if active is None or not active.is_editable:
        return redirect(url_for("applications.home"))
    section = applications.first_incomplete(active)
    if section is None:
        return redirect(url_for("applications.review", application_id=active.id))
    return redirect(url_for(f"applications.{section}", application_id=active.id))


@bp.post("/inizia")
@limits.signed_in_writes
@organisation_required
def create():
    edition = current_edition() or abort(404)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        application = applications.start(current_user, edition, now())
    except DomainError:
        flash(_("Il bando non accetta domande in questo momento."), "warning")
        return redirect(url_for("applications.home"))
    return redirect(url_for("applications.tasks", application_id=application.id))


@bp.get("/<int:application_id>/")
@organisation_required
def tasks(application_id: int):
    application = own_application(application_id)
    if not application.is_editable:
        return redirect(url_for("applications.receipt", application_id=application.id))
    return render_template(
        "applications/tasks.html",
        application=application,
        states=applications.section_states(application),
        sections=SECTIONS,
        titles=SECTION_TITLES,
        ready=applications.first_incomplete(application) is None,
    )


# --- One view per step, all through `_step` ---------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    form: type[FlaskForm]
    load: Callable[[FlaskForm, Application], None]
    save: Callable[[FlaskForm, Application], None]
    # DomainError codes from `save` → (field, message): a lazy text filled with the error's params,
    # or a function of the params (for a count, through ngettext)
    problems: dict[StrEnum, tuple[str, object]]


def _next_url(application: Application, name: str) -> str:
    position = SECTIONS.index(name)
    if position + 1 < len(SECTIONS):
        return url_for(f"applications.{SECTIONS[position + 1]}", application_id=application.id)
    return url_for("applications.review", application_id=application.id)


def _step(application_id: int, step: Step):
    application = own_application(application_id)
    if not application.is_editable:
        flash(_("La domanda è stata inviata e non si può più modificare."), "info")
        return redirect(url_for("applications.receipt", application_id=application.id))
    form = step.form()
    action = request.form.get("azione", "continua")
    if not form.is_submitted():
        step.load(form, application)
    else:
        saved = _validate_and_save(form, application, step, complete=(action == "continua"))
        if action == "autosave":
            return _autosave_status(saved)
        if saved and action == "continua":
            return redirect(_next_url(application, step.name))
        if saved and action == "bozza_righe":
            flash(_("Bozza salvata: qui sotto trovi altre righe vuote."), "success")
            return redirect(request.path)
        if saved:
            flash(_("Bozza salvata. Puoi continuare quando vuoi: trovi la domanda nella tua area."), "success")
            return redirect(url_for("applications.tasks", application_id=application.id))
    _pad_rows(form)
    return form_page(
        f"applications/step_{step.name}.html",
        form,
        False,
        application=application,
        step=step.name,
        title=SECTION_TITLES[step.name],
        position=SECTIONS.index(step.name) + 1,
    )


def _validate_and_save(form: FlaskForm, application: Application, step: Step, *, complete: bool) -> bool:
    """The whole step or nothing: shapes always, every field too when continuing."""
    valid = form.validate()
    if valid and complete:
        valid = require(form, getattr(form, "REQUIRED", ())) and _rows_present(form)
    if not valid:
        return False
    try:
        step.save(form, application)
    except DomainError as error:
        field, message = step.problems.get(
            error.code, (step.problems[ApplicationError.DEADLINE_PASSED][0], NOT_EDITABLE)
        )
        params = {k: money(v) if k in MONEY_PARAMS else v for k, v in error.params.items()}
        text = message(params) if callable(message) else str(message) % params
        form[field].errors = [*form[field].errors, text]
        return False
    return True


def _rows_present(form: FlaskForm) -> bool:
    for name, message in (("righe", NO_BUDGET_LINES), ("ricompense", NO_REWARDS)):
        if name in form and all(entry.form.is_blank for entry in form[name]):
            form[name].errors = [str(message)]
            return False
    return True


def _pad_rows(form: FlaskForm) -> None:
    for name in ("righe", "ricompense"):
        if name in form:
            blank = sum(1 for entry in form[name] if entry.form.is_blank)
            for _i in range(max(0, BLANK_ROWS - blank)):
                if len(form[name]) < form[name].max_entries:
                    form[name].append_entry()


def _autosave_status(saved: bool):
    if saved:
        message = _("Bozza salvata alle %(time)s", time=format_time(to_rome(now()), "HH:mm"))
    else:
        message = _("Bozza non salvata: c'è un valore da correggere. Usa «Salva e continua più tardi» per vederlo.")
    return render_template("applications/_autosave.html", message=message, saved=saved)


# --- 1. Project ---


def _load_project(form: ProjectForm, a: Application) -> None:
    form.titolo.data, form.sintesi.data, form.descrizione.data = a.title, a.summary, a.description
    form.tema.data, form.nil.data, form.perche_qui.data = a.theme or "", a.nil_id, a.why_here


def _save_project(form: ProjectForm, a: Application) -> None:
    values = {
        "title": form.titolo.data,
        "summary": form.sintesi.data,
        "description": form.descrizione.data,
        "theme": form.tema.data,
        "nil_id": form.nil.data,
        "why_here": form.perche_qui.data,
    }
    applications.save_project(a, values, now())


DEADLINE_PASSED = _l("Il termine per le domande è scaduto: la bozza non può più essere modificata.")
NOT_EDITABLE = _l("La domanda non può più essere modificata.")
NO_BUDGET_LINES = _l("Aggiungi almeno una voce di spesa")
NO_REWARDS = _l("Aggiungi almeno una ricompensa")
DEADLINE_PROBLEM = ("titolo", DEADLINE_PASSED)
PROJECT = Step(
    "progetto", ProjectForm, _load_project, _save_project, {ApplicationError.DEADLINE_PASSED: DEADLINE_PROBLEM}
)


@bp.route("/<int:application_id>/progetto", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def progetto(application_id: int):
    return _step(application_id, PROJECT)


# --- 2. Timeline ---


def _load_timeline(form: TimelineForm, a: Application) -> None:
    form.inizio.data, form.fine.data = a.start_date, a.end_date


def _save_timeline(form: TimelineForm, a: Application) -> None:
    applications.save_timeline(a, form.inizio.date, form.fine.date, now())


def _too_long(max_months: int, months: int) -> str:
    allowed = ngettext(
        "Il progetto può durare al massimo %(num)d mese", "Il progetto può durare al massimo %(num)d mesi", max_months
    )
    spanned = ngettext("così ne dura %(num)d", "così ne dura %(num)d", months)
    return f"{allowed}: {spanned}"


TIMELINE = Step(
    "tempi",
    TimelineForm,
    _load_timeline,
    _save_timeline,
    {
        ApplicationError.END_BEFORE_START: ("fine", _l("La data di fine deve venire dopo la data di inizio")),
        ApplicationError.TOO_LONG: ("fine", lambda params: _too_long(**params)),
        ApplicationError.DEADLINE_PASSED: ("inizio", DEADLINE_PASSED),
    },
)


@bp.route("/<int:application_id>/tempi", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def tempi(application_id: int):
    return _step(application_id, TIMELINE)


# --- 3. Budget ---


def _load_budget(form: BudgetForm, a: Application) -> None:
    while len(form.righe):
        form.righe.pop_entry()
    for line in a.budget_lines:
        form.righe.append_entry(
            {"descrizione": line.description, "categoria": line.category, "importo": to_input(line.amount_cents)}
        )


def _save_budget(form: BudgetForm, a: Application) -> None:
    lines = [
        BudgetLine(row.descrizione.data, row.categoria.data, row.importo.cents)
        for row in (entry.form for entry in form.righe)
        if not row.is_blank
    ]
    applications.save_budget(a, lines, now())


BUDGET = Step(
    "budget",
    BudgetForm,
    _load_budget,
    _save_budget,
    {
        ApplicationError.OVER_MAX_COST: (
            "righe",
            _l("Il totale (%(total)s) supera il costo massimo ammesso dal bando (%(max_cost)s)"),
        ),
        ApplicationError.EMPTY_BUDGET: ("righe", NO_BUDGET_LINES),
        ApplicationError.DEADLINE_PASSED: ("righe", DEADLINE_PASSED),
    },
)


@bp.route("/<int:application_id>/budget", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def budget(application_id: int):
    return _step(application_id, BUDGET)


# --- 4. Campaign plan ---


def _load_campaign(form: CampaignForm, a: Application) -> None:
    while len(form.ricompense):
        form.ricompense.pop_entry()
    for reward in a.rewards:
        form.ricompense.append_entry(
            {
                "titolo": reward.title,
                "importo": to_input(reward.min_pledge_cents),
                "descrizione": reward.description,
                "quantita": "" if reward.quantity is None else str(reward.quantity),
            }
        )
    form.comunicazione.data, form.squadra.data = a.communication_plan, a.team


def _save_campaign(form: CampaignForm, a: Application) -> None:
    rewards = [
        applications.RewardDraft(row.titolo.data, row.importo.cents, row.descrizione.data, row.quantita.number)
        for row in (entry.form for entry in form.ricompense)
        if not row.is_blank
    ]
    applications.save_campaign(a, rewards, form.comunicazione.data, form.squadra.data, now())


CAMPAIGN = Step(
    "campagna",
    CampaignForm,
    _load_campaign,
    _save_campaign,
    {ApplicationError.DEADLINE_PASSED: ("comunicazione", DEADLINE_PASSED)},
)


@bp.route("/<int:application_id>/campagna", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def campagna(application_id: int):
    return _step(application_id, CAMPAIGN)
