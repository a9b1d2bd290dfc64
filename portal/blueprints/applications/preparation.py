"""The team prepares its campaign before staff publish it: story, team, first supporters, updates
plan and rewards, with the readiness checklist on top. Only the organisation whose application
became the campaign (anyone else: 404); read-only once the campaign is published. Each form posts to
its own address and, refused, comes back with what was typed and its errors."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal import limits
from portal.blueprints.applications import bp
from portal.blueprints.applications.access import organisation_required, own_application
from portal.blueprints.applications.forms import euro_field
from portal.clock import now
from portal.domain import DomainError
from portal.domain.money import to_input
from portal.form_fields import WholeNumberField, strip
from portal.rendering import form_page
from portal.services.campaigns import campaign_updates, preparation
from portal.services.campaigns.preparation import PreparationError
from portal.services.campaigns.readiness import readiness_of

_TOO_LONG = _l("Al massimo %(max)d caratteri")


def _list_field(label):
    return TextAreaField(
        label, filters=[strip], validators=[Optional(), Length(max=preparation.LIST_MAX, message=_TOO_LONG)]
    )


class StoryForm(FlaskForm):
    sintesi = TextAreaField(
        _l("Sintesi"),
        filters=[strip],
        validators=[DataRequired(_l("Scrivi la sintesi")), Length(max=preparation.SUMMARY_MAX, message=_TOO_LONG)],
    )
    storia = TextAreaField(
        _l("Storia del progetto"),
        filters=[strip],
        validators=[Optional(), Length(max=preparation.STORY_MAX, message=_TOO_LONG)],
    )


class TeamForm(FlaskForm):
    team = _list_field(_l("Le persone del team, una per riga: «Nome — ruolo»"))


class SupportersForm(FlaskForm):
    nomi = _list_field(_l("Le persone da contattare il primo giorno, una per riga"))


class PlanForm(FlaskForm):
    piano = _list_field(_l("Gli aggiornamenti previsti, uno per riga"))


class RewardForm(FlaskForm):
    titolo = StringField(
        _l("Nome della ricompensa"),
        filters=[strip],
        validators=[
            DataRequired(_l("Scrivi il nome della ricompensa")),
            Length(max=preparation.REWARD_TITLE_MAX, message=_TOO_LONG),
        ],
    )
    importo = euro_field(_l("Donazione minima (euro)"))
    descrizione = TextAreaField(
        _l("Che cosa riceve chi dona"),
        filters=[strip],
        validators=[
            DataRequired(_l("Scrivi che cosa riceve chi dona")),
            Length(max=preparation.REWARD_DESCRIPTION_MAX, message=_TOO_LONG),
        ],
    )
    quantita = WholeNumberField(
        _l("Quante ne offrite (vuoto se senza limite)"),
        minimum=1,
        maximum=999_999,
        message=_l("Scrivi un numero intero, ad esempio 50"),
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not self.importo.errors and self.importo.cents is None:
            self.importo.errors = [_l("Scrivi la donazione minima, ad esempio 25")]
            ok = False
        return ok


def _own_campaign(application_id: int):
    application = own_application(application_id)
    campaign = campaign_updates.campaign_of_application(application.id) or abort(404)
    return application, campaign


def _reward_form(reward) -> RewardForm:
    form = RewardForm(prefix=f"ricompensa-{reward.id}", formdata=None)
    form.titolo.data, form.descrizione.data = reward.title, reward.description
    form.importo.data = to_input(reward.min_pledge_cents)
    form.quantita.data = str(reward.quantity) if reward.quantity is not None else ""
    return form


def _page(application, campaign, failed: tuple[str, FlaskForm] | None = None, problem: str | None = None):
    """The page; `failed` is the form that was refused, (its name, the form), shown as typed."""
    given = dict([failed]) if failed else {}
    story = given.get("storia") or StoryForm(
        prefix="storia", formdata=None, sintesi=campaign.summary, storia=campaign.story
    )
    team = given.get("team") or TeamForm(prefix="team", formdata=None, team=campaign.team_members)
    supporters = given.get("sostenitori") or SupportersForm(
        prefix="sostenitori", formdata=None, nomi=campaign.first_supporters
    )
    plan = given.get("piano") or PlanForm(prefix="piano", formdata=None, piano=campaign.updates_plan)
    new_reward = given.get("nuova") or RewardForm(prefix="nuova", formdata=None)
    reward_forms = {
        reward.id: given.get(f"ricompensa-{reward.id}") or _reward_form(reward) for reward in campaign.rewards
    }
    shown = failed[1] if failed else story
    return form_page(
        "applications/campaign_preparation.html",
        shown,
        problem is not None,
        application=application,
        campaign=campaign,
        editable=preparation.preparable(campaign),
        readiness=readiness_of(campaign),
        readiness_minimum=campaign.edition.readiness_minimum,
        story_form=story,
        team_form=team,
        supporters_form=supporters,
        plan_form=plan,
        new_reward_form=new_reward,
        reward_forms=reward_forms,
        remove_form=FlaskForm(),
        problem=problem,
    )


def _back(application_id: int, anchor: str):
    return redirect(
        url_for("applications.campaign_preparation", application_id=application_id) + f"#{anchor}", code=303
    )


def _problem(error: DomainError) -> str:
    match error.code:
        case PreparationError.PUBLISHED:
            return _("La campagna è già pubblicata: il suo contenuto non si modifica più da qui.")
        case PreparationError.TOO_LONG | PreparationError.SUMMARY:
            return _("Il testo è troppo lungo: al massimo %(max)d caratteri.", max=error.params.get("limit", 0))
        case PreparationError.TOO_MANY_REWARDS:
            return _("Al massimo %(max)d ricompense.", max=error.params["limit"])
        case PreparationError.REWARD_NOT_FOUND:
            return _("Questa ricompensa non c'è più: forse è stata appena eliminata.")
    return _("Completa la ricompensa: nome, donazione minima e descrizione")


def _save(application, campaign, name: str, form: FlaskForm, save, saved: str, anchor: str):
    """Validate `form`, call `save()`; the page again with the form as typed when refused."""
    if not form.validate_on_submit():
        return _page(application, campaign, (name, form))
    try:
        save()
    except DomainError as error:
        if error.code == PreparationError.PUBLISHED:
            flash(_problem(error), "warning")
            return _back(application.id, "preparazione")
        return _page(application, campaign, (name, form), problem=_problem(error))
    flash(saved, "success")
    return _back(application.id, anchor)


@bp.route("/<int:application_id>/preparazione", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def campaign_preparation(application_id: int):
    application, campaign = _own_campaign(application_id)
    form = StoryForm(prefix="storia")
    if not form.is_submitted():
        return _page(application, campaign)
    return _save(
        application,
        campaign,
        "storia",
        form,
        lambda: preparation.save_story(campaign.id, form.sintesi.data, form.storia.data, current_user, now()),
        _("Storia salvata."),
        "storia",
    )


@bp.post("/<int:application_id>/preparazione/team")
@limits.signed_in_writes
@organisation_required
def campaign_team(application_id: int):
    application, campaign = _own_campaign(application_id)
    form = TeamForm(prefix="team")
    save = lambda: preparation.save_team(campaign.id, form.team.data, current_user, now())  # noqa: E731
    return _save(application, campaign, "team", form, save, _("Team salvato."), "team")


@bp.post("/<int:application_id>/preparazione/primi-sostenitori")
@limits.signed_in_writes
@organisation_required
def campaign_first_supporters(application_id: int):
    application, campaign = _own_campaign(application_id)
    form = SupportersForm(prefix="sostenitori")
    save = lambda: preparation.save_first_supporters(campaign.id, form.nomi.data, current_user, now())  # noqa: E731
    return _save(
        application, campaign, "sostenitori", form, save, _("Elenco dei primi sostenitori salvato."), "sostenitori"
    )


@bp.post("/<int:application_id>/preparazione/piano-aggiornamenti")
@limits.signed_in_writes
@organisation_required
def campaign_updates_plan(application_id: int):
    application, campaign = _own_campaign(application_id)
    form = PlanForm(prefix="piano")
    save = lambda: preparation.save_updates_plan(campaign.id, form.piano.data, current_user, now())  # noqa: E731
    return _save(application, campaign, "piano", form, save, _("Piano degli aggiornamenti salvato."), "piano")


def _reward_values(form: RewardForm) -> tuple:
    quantity = form.quantita.number
    return form.titolo.data, form.importo.cents, form.descrizione.data, quantity


@bp.post("/<int:application_id>/preparazione/ricompense")
@limits.signed_in_writes
@organisation_required
def campaign_reward_add(application_id: int):
    application, campaign = _own_campaign(application_id)
    form = RewardForm(prefix="nuova")
    save = lambda: preparation.add_reward(campaign.id, *_reward_values(form), current_user, now())  # noqa: E731
    return _save(application, campaign, "nuova", form, save, _("Ricompensa aggiunta."), "ricompense")


@bp.post("/<int:application_id>/preparazione/ricompense/<int:reward_id>")
@limits.signed_in_writes
@organisation_required
def campaign_reward_edit(application_id: int, reward_id: int):
    application, campaign = _own_campaign(application_id)
    name = f"ricompensa-{reward_id}"
    form = RewardForm(prefix=name)
    save = lambda: preparation.edit_reward(campaign.id, reward_id, *_reward_values(form), current_user, now())  # noqa: E731
    return _save(application, campaign, name, form, save, _("Ricompensa salvata."), name)


@bp.post("/<int:application_id>/preparazione/ricompense/<int:reward_id>/elimina")
@limits.signed_in_writes
@organisation_required
def campaign_reward_remove(application_id: int, reward_id: int):
    application, campaign = _own_campaign(application_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        preparation.remove_reward(campaign.id, reward_id, current_user, now())
    except DomainError as error:
        flash(_problem(error), "warning")
    else:
        flash(_("Ricompensa eliminata."), "success")
    return _back(application.id, "ricompense")
