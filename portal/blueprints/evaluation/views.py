from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import limits
from portal.access import roles_required
from portal.blueprints.evaluation import bp
from portal.blueprints.evaluation.forms import DeclarationForm, scores_form
from portal.clock import now
from portal.domain import DomainError
from portal.domain.evaluation import rubric_bands
from portal.extensions import db
from portal.i18n import current_lang
from portal.labels import SECTION_TITLES
from portal.models import Assignment, Role
from portal.services.evaluation import evaluation
from portal.services.places.neighbourhoods import nil_or_none


@bp.before_request
@roles_required(Role.EVALUATOR)
def evaluators_only() -> None:
    """Only evaluators, and each sees only their own assignments."""


@bp.after_request
def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/")
def assignments():
    rows = db.session.scalars(
        db.select(Assignment).filter_by(evaluator_id=current_user.id).order_by(Assignment.assigned_at)
    ).all()
    return render_template("evaluation/assignments.html", rows=rows)


@bp.route("/<int:assignment_id>", methods=["GET", "POST"])
@limits.signed_in_writes
def assignment(assignment_id: int):
    assignment = evaluation.assignment_for(current_user, assignment_id) or abort(404)
    if assignment.declared_at is None:
        return _declaration(assignment)
    if assignment.has_conflict:
        return render_template("evaluation/excluded.html", assignment=assignment)
    return _scores(assignment)


def _declaration(assignment: Assignment):
    form = DeclarationForm()
    if form.validate_on_submit():
        evaluation.declare(assignment, form.conflitto.data == "si", form.nota.data, now())
        if assignment.has_conflict:
            flash(
                _("Conflitto dichiarato: sei escluso da questa domanda e lo staff ne assegnerà un altro valutatore."),
                "info",
            )
            return redirect(url_for("evaluation.assignments"))
        return redirect(url_for("evaluation.assignment", assignment_id=assignment.id))
    return render_template(
        "evaluation/declaration.html", assignment=assignment, form=form, page_has_errors=bool(form.errors)
    )


def _scores(assignment: Assignment):
    application = assignment.application
    criteria = evaluation.criteria_of(application.edition)
    form = scores_form(criteria, current_lang())()
    if not form.is_submitted():
        existing = {s.criterion.code: s.score for s in assignment.scores}
        for criterion in criteria:
            form[f"c_{criterion.code}"].data = str(existing[criterion.code]) if criterion.code in existing else ""
        form.note.data = assignment.notes
    elif form.validate():
        scores = {c.code: form[f"c_{c.code}"].number for c in criteria}
        try:
            total = evaluation.submit_scores(assignment, scores, form.note.data, now())
        except DomainError:
            flash(_("La valutazione di questa domanda è chiusa."), "warning")
        else:
            flash(
                _(
                    "Valutazione salvata: punteggio ponderato %(score)s su 100.",
                    score=str(total).replace(".", ",") if current_lang() == "it" else str(total),
                ),
                "success",
            )
        return redirect(url_for("evaluation.assignments"))
    return render_template(
        "evaluation/scores.html",
        assignment=assignment,
        application=application,
        criteria=criteria,
        rubric_bands=rubric_bands,
        form=form,
        nil=nil_or_none(application.nil_id),
        titles=SECTION_TITLES,
        split=None,
        page_has_errors=bool(form.errors),
    )
