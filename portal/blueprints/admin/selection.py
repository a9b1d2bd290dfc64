"""Staff pages for the ranking, decisions within the budget, and launching and publishing campaigns."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from portal import limits
from portal.blueprints.admin import bp
from portal.blueprints.admin.applications import application_or_404, detail_page
from portal.blueprints.admin.forms import CampaignEditForm, ConfirmForm, LaunchForm
from portal.clock import now, to_rome
from portal.domain import DomainError
from portal.domain.cofunding import BudgetError
from portal.domain.evaluation import MIN_EVALUATORS, EvaluationError
from portal.domain.readiness import ReadinessError
from portal.extensions import db
from portal.i18n import money
from portal.labels import readiness_missing_words
from portal.models import Campaign
from portal.services import mail
from portal.services.campaigns.readiness import readiness_of
from portal.services.editions.editions import current_edition
from portal.services.evaluation import evaluation, selection
from portal.services.evaluation.selection import SelectionError


def _ranking_page(problem: str | None = None):
    edition = current_edition() or abort(404)
    return render_template(
        "admin/ranking.html",
        edition=edition,
        rows=evaluation.ranking(edition),
        min_evaluators=MIN_EVALUATORS,
        budget=selection.budget_of(edition),
        criteria=evaluation.criteria_of(edition),
        decision_form=FlaskForm(),
        max_contribution=selection.max_contribution,
        awaiting=selection.awaiting_decision(edition),
        problem=problem,
        page_has_errors=problem is not None,
    )


@bp.get("/graduatoria")
def ranking():
    return _ranking_page()


@bp.get("/domande/<int:application_id>/seleziona")
def confirm_selection(application_id: int):
    """Selecting reserves public money: staff first see how much, and what the budget keeps after it."""
    application = application_or_404(application_id)
    if not application.is_in_evaluation:
        flash(_("La domanda non è in valutazione: nessuna decisione registrata."), "warning")
        return redirect(url_for("admin.ranking"))
    return render_template(
        "admin/selection_confirm.html",
        application=application,
        preview=selection.preview_selection(application, now()),
        form=ConfirmForm(formdata=None),
    )


def _confirmed_cents() -> int | None:
    raw = request.form.get("conferma", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 15 else None


@bp.post("/domande/<int:application_id>/decisione")
@limits.signed_in_writes
def decide(application_id: int):
    application = application_or_404(application_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    choice = request.form.get("decisione")
    confirm_page = url_for("admin.confirm_selection", application_id=application.id)
    try:
        if choice == "seleziona":
            confirmed = _confirmed_cents()
            if confirmed is None:
                flash(
                    _(
                        "Selezione non registrata: selezionare un progetto riserva fondi pubblici, quindi va "
                        "confermata. Controlla l'importo e il budget che resta, poi conferma."
                    ),
                    "warning",
                )
                return redirect(confirm_page)
            budget = selection.select(application.id, current_user, now(), confirmed_cents=confirmed)
            message = _("Progetto selezionato: restano %(left)s del budget.", left=money(budget.left_cents))
        elif choice == "escludi":
            selection.reject(application.id, current_user, now())
            message = _("Domanda non selezionata.")
        else:
            abort(400)
    except DomainError as error:
        if error.code == SelectionError.AMOUNT_CHANGED:
            flash(
                _(
                    "Selezione non registrata: l'importo da riservare è cambiato ed è ora %(amount)s. "
                    "Controllalo e conferma di nuovo.",
                    amount=money(error.params["amount"]),
                ),
                "warning",
            )
            return redirect(confirm_page)
        if error.code == SelectionError.NO_MATCH_RULE:
            flash(
                _("L'edizione non ha la regola del cofinanziamento completa: completala prima di selezionare."),
                "warning",
            )
            return redirect(url_for("admin.ranking"))
        if error.code != EvaluationError.OVER_BUDGET:
            flash(_("La domanda non è in valutazione: nessuna decisione registrata."), "warning")
            return redirect(url_for("admin.ranking"))
        p = error.params
        return _ranking_page(
            _(
                "Selezione rifiutata: il progetto richiede %(needed)s ma del budget di %(budget)s sono già riservati "
                "%(reserved)s e restano %(left)s.",
                needed=money(p["needed"]),
                budget=money(p["budget"]),
                reserved=money(p["reserved"]),
                left=money(p["left"]),
            )
        ), 409
    mail.deliver_now_if_immediate(now())
    flash(message, "success")
    return redirect(url_for("admin.ranking"))


@bp.route("/graduatoria/pubblica", methods=["GET", "POST"])
@limits.signed_in_writes
def publish_ranking():
    """ "Pubblica la graduatoria": the selected projects appear on the call page. A page of its own
    to confirm; refused, naming them, while applications still await a decision."""
    edition = current_edition() or abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        if form.conferma.data != "pubblica":
            flash(_("Graduatoria non pubblicata: conferma la pubblicazione con il pulsante qui sotto."), "warning")
            return redirect(url_for("admin.publish_ranking"))
        try:
            selection.publish_ranking(edition, current_user, now())
        except DomainError as error:
            if error.code == SelectionError.RANKING_PUBLISHED:
                flash(_("La graduatoria era già pubblicata."), "info")
                return redirect(url_for("admin.ranking"))
            return _publish_page(edition, form, status=409)
        flash(_("Graduatoria pubblicata nella pagina del bando."), "success")
        return redirect(url_for("admin.ranking"))
    return _publish_page(edition, form)


def _publish_page(edition, form: ConfirmForm, status: int = 200):
    selected = [row for row in evaluation.ranking(edition) if row.application.is_selected]
    awaiting = selection.awaiting_decision(edition)
    return render_template(
        "admin/ranking_publish.html",
        edition=edition,
        selected=selected,
        awaiting=awaiting,
        form=form,
        refused=status == 409,
        page_has_errors=status == 409,
    ), status


@bp.post("/domande/<int:application_id>/campagna")
@limits.signed_in_writes
def launch(application_id: int):
    application = application_or_404(application_id)
    form = LaunchForm()
    if form.validate_on_submit():
        try:
            campaign = selection.launch(application.id, form.inizio.date, current_user, now())
        except DomainError:
            form.inizio.errors = [_("La campagna può nascere solo da un progetto selezionato, una volta sola")]
        else:
            flash(_("Campagna preparata: controllala e pubblicala."), "success")
            return redirect(url_for("admin.campaign", campaign_id=campaign.id))
    return detail_page(application, launch_form=form)


@bp.get("/campagne")
def campaigns():
    edition = current_edition() or abort(404)
    rows = db.session.scalars(db.select(Campaign).filter_by(edition_id=edition.id).order_by(Campaign.starts_at)).all()
    return render_template("admin/campaigns.html", edition=edition, rows=rows)


@bp.route("/campagne/<int:campaign_id>", methods=["GET", "POST"])
@limits.signed_in_writes
def campaign(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    form = CampaignEditForm()
    if not form.is_submitted():
        form.titolo.data, form.sintesi.data, form.storia.data = campaign.title, campaign.summary, campaign.story
        form.inizio.data = to_rome(campaign.starts_at).strftime("%d/%m/%Y")
    elif form.validate():
        try:
            selection.update_campaign(
                campaign, form.titolo.data, form.sintesi.data, form.storia.data, form.inizio.date, current_user, now()
            )
        except DomainError as error:
            if error.code == BudgetError.BELOW_HELD:
                message = _(
                    "Con questo primo giorno la campagna riprenderebbe la sua riserva di %(reserve)s, ma il budget "
                    "non la copre più: scegli un'altra data o aumenta prima il budget.",
                    reserve=money(error.params["reserve"]),
                )
            else:
                message = _("La campagna è già pubblicata e non si modifica da qui.")
            flash(message, "warning")
        else:
            flash(_("Modifiche salvate."), "success")
        return redirect(url_for("admin.campaign", campaign_id=campaign.id))
    return render_template(
        "admin/campaign.html",
        campaign=campaign,
        form=form,
        publish_form=FlaskForm(),
        readiness=readiness_of(campaign),
        page_has_errors=bool(form.errors),
    )


@bp.post("/campagne/<int:campaign_id>/pubblica")
@limits.signed_in_writes
def publish(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        selection.publish(campaign, current_user, now())
    except DomainError as error:
        if error.code != ReadinessError.BELOW_MINIMUM:
            flash(_("La campagna era già pubblicata."), "info")
            return redirect(url_for("admin.campaigns"))
        flash(
            _(
                "Campagna non pubblicata: la preparazione è a %(score)d su 100, il minimo dell'edizione è "
                "%(minimum)d. Mancano: %(items)s.",
                score=error.params["score"],
                minimum=error.params["minimum"],
                items=readiness_missing_words(error.params["missing"]),
            ),
            "warning",
        )
        return redirect(url_for("admin.campaign", campaign_id=campaign.id))
    else:
        flash(_("Campagna pubblicata."), "success")
    return redirect(url_for("admin.campaigns"))
