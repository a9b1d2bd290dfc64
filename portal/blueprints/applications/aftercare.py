"""The organisation's page after the campaign ("Dopo la raccolta"): the project's milestones (add,
update their state, date and note, remove one not yet begun) and its impact indicators (choose
them with a target while the application is selected, report the values once the campaign has
succeeded). One address, one form per action (`azione`), each with its own prefix; a refused form
comes back with its message and what was typed. Only the organisation's own selected application
(anyone else: 404)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from portal import limits
from portal.blueprints.applications import bp
from portal.blueprints.applications.access import organisation_required, own_application
from portal.clock import now
from portal.domain import DomainError
from portal.domain.aftercare import INDICATORS, MilestoneState
from portal.form_fields import DateField, WholeNumberField, clean
from portal.labels import MILESTONE_STATE_LABELS, indicator_label
from portal.rendering import form_page
from portal.services.aftercare import indicators, milestones
from portal.services.aftercare.indicators import IndicatorError
from portal.services.aftercare.milestones import MilestoneError
from portal.services.campaigns import campaign_updates


class MilestoneForm(FlaskForm):
    """A new milestone, or one being updated (`stato` only then)."""

    titolo = StringField(_l("Titolo della tappa"), filters=[clean])
    data = DateField(_l("Data prevista"))
    stato = SelectField(
        _l("Stato"),
        choices=[SelectChoice(state.value, label) for state, label in MILESTONE_STATE_LABELS.items()],
        default=MilestoneState.PLANNED.value,
    )
    nota = TextAreaField(_l("Nota pubblica (facoltativa)"), filters=[clean])


def _target_field(label):
    return WholeNumberField(
        label,
        minimum=1,
        maximum=indicators.MAXIMUM,
        message=_l("Scrivi un numero intero da %(min)d a %(max)d, senza punti né spazi"),
        required_message=_l("Scrivi l'obiettivo: un numero intero maggiore di zero"),
    )


class IndicatorForm(FlaskForm):
    """An indicator chosen, with its target."""

    codice = SelectField(
        _l("Indicatore"), choices=[SelectChoice("", _l("Scegli…"))], validate_choice=False
    )  # the service says
    obiettivo = _target_field(_l("Obiettivo"))


class TargetForm(FlaskForm):
    """A chosen indicator's target, changed."""

    obiettivo = _target_field(_l("Obiettivo"))


class ReportForm(FlaskForm):
    """The value an indicator reached."""

    valore = WholeNumberField(
        _l("Valore raggiunto"),
        minimum=0,
        maximum=indicators.MAXIMUM,
        message=_l("Scrivi un numero intero da %(min)d a %(max)d, senza punti né spazi"),
        required_message=_l("Scrivi il valore raggiunto: un numero intero, anche zero"),
    )


MILESTONE_PROBLEMS = {
    MilestoneError.TITLE: ("titolo", lambda: _("Scrivi il titolo della tappa, al massimo 200 caratteri")),
    MilestoneError.DATE: ("data", lambda: _("Scrivi la data prevista della tappa")),
    MilestoneError.NOTE: ("nota", lambda: _("La nota può avere al massimo 500 caratteri")),
    MilestoneError.NOT_PLANNED: ("titolo", lambda: _("Si può eliminare solo una tappa non ancora iniziata.")),
}
INDICATOR_PROBLEMS = {
    IndicatorError.UNKNOWN: ("codice", lambda: _("Scegli un indicatore dell'elenco")),
    IndicatorError.TARGET: ("obiettivo", lambda: _("Scrivi l'obiettivo: un numero intero maggiore di zero")),
    IndicatorError.VALUE: ("valore", lambda: _("Scrivi il valore raggiunto: un numero intero, anche zero")),
    IndicatorError.REPORTED: (
        "obiettivo",
        lambda: _("Il valore di questo indicatore è già stato comunicato: l'obiettivo non si cambia più."),
    ),
}
REFUSALS = {
    MilestoneError.NOT_FUNDED: lambda: _("Le tappe si aggiornano quando la campagna si è conclusa con successo."),
    MilestoneError.NOT_FOUND: lambda: _("Questa tappa non esiste più: la pagina è aggiornata."),
    MilestoneError.NOT_PLANNED: lambda: _("Si può eliminare solo una tappa non ancora iniziata."),
    IndicatorError.NOT_FUNDED: lambda: _("I valori si comunicano quando la campagna si è conclusa con successo."),
    IndicatorError.NOT_CHOSEN: lambda: _("Questo indicatore non è tra quelli scelti: la pagina è aggiornata."),
    IndicatorError.REPORTED: lambda: _("Il valore di questo indicatore è già stato comunicato: non si può togliere."),
    IndicatorError.UNKNOWN: lambda: _("Scegli un indicatore dell'elenco"),
}


def _url(application_id: int, anchor: str | None = None) -> str:
    return url_for("applications.aftercare", application_id=application_id, _anchor=anchor)


def _back(application_id: int, anchor: str | None = None):
    return redirect(_url(application_id, anchor), code=303)


def _milestone_form(view=None, *, formdata=None) -> MilestoneForm:
    prefix = f"tappa-{view.id}" if view else "nuova-tappa"
    form = MilestoneForm(prefix=prefix, formdata=formdata)
    if view is not None and formdata is None:
        form.titolo.data, form.data.data = view.title, view.due_on.strftime("%d/%m/%Y")
        form.stato.data, form.nota.data = view.state.value, view.note or ""
    return form


def _indicator_form(chosen_codes, *, formdata=None) -> IndicatorForm:
    form = IndicatorForm(prefix="indicatore", formdata=formdata)
    form.codice.choices = [SelectChoice("", _("Scegli…"))] + [
        SelectChoice(code, indicator_label(code)) for code in INDICATORS if code not in chosen_codes
    ]
    return form


class _Page:
    """The page's forms; the one that was refused keeps what was typed and its message."""

    def __init__(self, application, campaign, moment):
        self.application, self.campaign = application, campaign
        self.funded = campaign is not None and milestones.is_funded(campaign, moment)
        self.milestones = milestones.milestones_of(campaign.id, moment) if campaign is not None else []
        self.indicators = indicators.indicators_of(application.id)
        self.new_milestone = _milestone_form(formdata=None)
        self.edit = {view.id: _milestone_form(view) for view in self.milestones}
        chosen = {indicator.code for indicator in self.indicators}
        self.new_indicator = _indicator_form(chosen)
        self.targets = {}
        self.reports = {}
        for indicator in self.indicators:
            target = TargetForm(prefix=f"obiettivo-{indicator.code}", formdata=None)
            target.obiettivo.data = str(indicator.target)
            self.targets[indicator.code] = target
            report = ReportForm(prefix=f"valore-{indicator.code}", formdata=None)
            if indicator.reported is not None:
                report.valore.data = str(indicator.reported)
            self.reports[indicator.code] = report
        self.failed = None

    def render(self):
        form = self.failed or self.new_milestone
        return form_page(
            "applications/aftercare.html",
            form,
            False,
            application=self.application,
            campaign=self.campaign,
            public=self.campaign is not None and self.campaign.is_public(now()),
            funded=self.funded,
            milestones=self.milestones,
            new_milestone=self.new_milestone,
            edit_forms=self.edit,
            indicators=self.indicators,
            new_indicator=self.new_indicator,
            target_forms=self.targets,
            report_forms=self.reports,
        )


def _refuse(form, error: DomainError, problems) -> bool:
    """Put the refusal's message on its field; False when it belongs to no field."""
    if error.code not in problems:
        return False
    name, message = problems[error.code]
    field = getattr(form, name, None)
    if field is None:
        return False
    field.errors = [message()]
    return True


def _general(application_id: int, error: DomainError, anchor: str):
    flash(REFUSALS.get(error.code, lambda: _("L'operazione non è riuscita."))(), "warning")
    return _back(application_id, anchor)


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None


@bp.route("/<int:application_id>/dopo-la-raccolta", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def aftercare(application_id: int):
    application = own_application(application_id)
    if not application.is_selected:
        abort(404)
    campaign = campaign_updates.campaign_of_application(application.id)
    moment = now()
    if request.method == "GET":
        page = _Page(application, campaign, moment)
        # The first visit after success plans the timeline (once, ever: `plan_from_application`).
        planned = (
            page.funded and not page.milestones and milestones.plan_from_application(campaign.id, current_user, moment)
        )
        if planned:
            page = _Page(application, campaign, moment)
        return page.render()
    action = request.form.get("azione", "")
    handler = ACTIONS.get(action)
    if handler is None:
        abort(400)
    return handler(application, campaign, moment)


def _add_milestone(application, campaign, moment):
    if campaign is None:
        return _general(application.id, DomainError(MilestoneError.NOT_FUNDED), "tappe")
    form = _milestone_form(formdata=request.form)
    if form.validate_on_submit():
        try:
            added = milestones.add_milestone(
                campaign.id, form.titolo.data, form.data.date, form.nota.data, current_user, moment
            )
        except DomainError as error:
            if not _refuse(form, error, MILESTONE_PROBLEMS):
                return _general(application.id, error, "tappe")
        else:
            flash(_("Tappa aggiunta."), "success")
            return _back(application.id, f"tappa-{added.id}")
    page = _Page(application, campaign, moment)
    page.new_milestone = page.failed = form
    return page.render()


def _update_milestone(application, campaign, moment):
    milestone_id = _number(request.form.get("tappa"))
    if milestone_id is None or campaign is None:
        abort(400)
    form = MilestoneForm(prefix=f"tappa-{milestone_id}")
    if form.validate_on_submit():
        try:
            state = MilestoneState(form.stato.data)
        except ValueError:
            abort(400)
        try:
            milestones.update_milestone(
                campaign.id,
                milestone_id,
                title=form.titolo.data,
                due_on=form.data.date,
                state=state,
                note=form.nota.data,
                actor=current_user,
                now=moment,
            )
        except DomainError as error:
            if not _refuse(form, error, MILESTONE_PROBLEMS):
                return _general(application.id, error, "tappe")
        else:
            flash(_("Tappa aggiornata."), "success")
            return _back(application.id, f"tappa-{milestone_id}")
    page = _Page(application, campaign, moment)
    if milestone_id not in page.edit:
        return _general(application.id, DomainError(MilestoneError.NOT_FOUND), "tappe")
    page.edit[milestone_id] = page.failed = form
    return page.render()


def _remove_milestone(application, campaign, moment):
    milestone_id = _number(request.form.get("tappa"))
    if milestone_id is None or campaign is None or not FlaskForm().validate_on_submit():
        abort(400)
    try:
        milestones.remove_milestone(campaign.id, milestone_id, current_user, moment)
    except DomainError as error:
        return _general(application.id, error, "tappe")
    flash(_("Tappa eliminata."), "success")
    return _back(application.id, "tappe")


def _choose_indicator(application, campaign, moment):
    chosen = {indicator.code for indicator in indicators.indicators_of(application.id)}
    form = _indicator_form(chosen, formdata=request.form)
    if form.validate_on_submit():
        try:
            indicators.set_indicator(application.id, form.codice.data, form.obiettivo.number, current_user, moment)
        except DomainError as error:
            if not _refuse(form, error, INDICATOR_PROBLEMS):
                return _general(application.id, error, "indicatori")
        else:
            flash(_("Indicatore scelto."), "success")
            return _back(application.id, f"indicatore-{form.codice.data}")
    page = _Page(application, campaign, moment)
    page.new_indicator = page.failed = form
    return page.render()


def _code() -> str:
    code = request.form.get("codice", "")
    if code not in INDICATORS:
        abort(400)
    return code


def _change_target(application, campaign, moment):
    code = _code()
    form = TargetForm(prefix=f"obiettivo-{code}")
    if form.validate_on_submit():
        try:
            indicators.set_indicator(application.id, code, form.obiettivo.number, current_user, moment)
        except DomainError as error:
            if not _refuse(form, error, INDICATOR_PROBLEMS):
                return _general(application.id, error, "indicatori")
        else:
            flash(_("Obiettivo salvato."), "success")
            return _back(application.id, f"indicatore-{code}")
    page = _Page(application, campaign, moment)
    if code not in page.targets:
        return _general(application.id, DomainError(IndicatorError.NOT_CHOSEN), "indicatori")
    page.targets[code] = page.failed = form
    return page.render()


def _report(application, campaign, moment):
    code = _code()
    form = ReportForm(prefix=f"valore-{code}")
    if form.validate_on_submit():
        try:
            indicators.report_indicator(application.id, code, form.valore.number, current_user, moment)
        except DomainError as error:
            if not _refuse(form, error, INDICATOR_PROBLEMS):
                return _general(application.id, error, "indicatori")
        else:
            flash(_("Valore comunicato: compare sulla pagina pubblica del progetto."), "success")
            return _back(application.id, f"indicatore-{code}")
    page = _Page(application, campaign, moment)
    if code not in page.reports:
        return _general(application.id, DomainError(IndicatorError.NOT_CHOSEN), "indicatori")
    page.reports[code] = page.failed = form
    return page.render()


def _remove_indicator(application, campaign, moment):
    code = _code()
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        indicators.remove_indicator(application.id, code, current_user, moment)
    except DomainError as error:
        return _general(application.id, error, "indicatori")
    flash(_("Indicatore tolto."), "success")
    return _back(application.id, "indicatori")


ACTIONS = {
    "aggiungi-tappa": _add_milestone,
    "aggiorna-tappa": _update_milestone,
    "elimina-tappa": _remove_milestone,
    "scegli-indicatore": _choose_indicator,
    "obiettivo": _change_target,
    "valore": _report,
    "togli-indicatore": _remove_indicator,
}
