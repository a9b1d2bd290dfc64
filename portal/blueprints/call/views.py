from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.blueprints.call import bp, messages
from portal.blueprints.call.forms import CostForm, EligibilityForm
from portal.clock import ROME, now
from portal.converters import url_with_query
from portal.domain import DomainError
from portal.domain.eligibility import Applicant, check
from portal.domain.ics import build_calendar
from portal.domain.match_funding import MatchFundingError, split_cost
from portal.i18n import current_lang
from portal.models import Edition, EventKind
from portal.rendering import render_page
from portal.services.courses.calendar import seats_left_for
from portal.services.courses.calendar_files import event_entry
from portal.services.editions.editions import current_edition, edition_or_404, event_or_404, events_of
from portal.services.editions.overview import call_state_of, edition_overview, event_state


def _current_or_404() -> Edition:
    return current_edition() or abort(404)


@bp.get("/bando")
def edition_current():
    return redirect(url_with_query("call.edition", year=_current_or_404().year))


@bp.get("/bando/<int:year>")
def edition(year: int):
    edition = edition_or_404(year)
    form = CostForm(formdata=request.args)
    split = _calculate(form, edition) if "costo" in request.args and edition.has_match_rule else None
    return render_page(
        "call/edition.html",
        blocks=("calculator", "calculator_status"),
        edition=edition,
        overview=edition_overview(edition, now()),
        form=form,
        split=split,
        examples=_examples(edition),
        page_has_errors=bool(form.errors),
    )


def _calculate(form: CostForm, edition: Edition):
    if not form.validate():
        return None
    try:
        return split_cost(form.costo.cents, edition.match_rule)
    except DomainError as error:
        message = (
            messages.over_cost_message(error.params["max_cost_cents"])
            if error.code == MatchFundingError.OVER_MAX_COST
            else messages.not_positive_message()
        )
        form.costo.errors = [message]
        return None


def _examples(edition: Edition):
    """Worked examples: a fifth, half and all of the maximum cost."""
    if not edition.has_match_rule or not edition.max_cost_cents:
        return []
    costs = sorted({edition.max_cost_cents // 5, edition.max_cost_cents // 2, edition.max_cost_cents})
    return [split_cost(cost, edition.match_rule) for cost in costs if cost > 0]


@bp.get("/bando/verifica-requisiti")
def eligibility():
    edition = _current_or_404()
    form = EligibilityForm(formdata=request.args)
    verdict = None
    if request.args and form.validate():
        verdict = check(
            Applicant(
                legal_form=form.forma.data,
                is_non_profit=form.non_profit.data == "si",
                has_seat_in_milan=form.sede_milano.data == "si",
                duration_months=form.durata.number,
                cost_cents=form.costo.cents,
            ),
            edition.criteria,
        )
    return render_page(
        "call/eligibility.html",
        blocks=("checker", "checker_status"),
        edition=edition,
        call=call_state_of(edition, now()),
        form=form,
        verdict=verdict,
        reason=messages.failure_reason,
        page_has_errors=bool(form.errors),
    )


@bp.get("/sessione-informativa")
def info_session():
    sessions = events_of(_current_or_404(), EventKind.INFO_SESSION)
    if not sessions:
        abort(404)
    return redirect(url_for("call.event", slug=sessions[0].slug))


@bp.get("/eventi/<slug>")
def event(slug: str):
    event = event_or_404(slug)
    seats = seats_left_for(event) if event.needs_registration else None
    return render_template("call/event.html", event=event, state=event_state(event, now()), seats_left=seats)


@bp.get("/eventi/<slug>.ics")
def event_ics(slug: str):
    event = event_or_404(slug)
    entry = event_entry(event, current_lang())
    body = build_calendar([entry], stamp=now(), tz=ROME, name=_("Crowdfunding Civico"))
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )
