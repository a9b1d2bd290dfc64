from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import link_previews
from portal.blueprints.call import bp, messages
from portal.blueprints.call.forms import CostForm, EligibilityForm
from portal.clock import ROME, now
from portal.converters import url_with_query
from portal.domain import DomainError
from portal.domain.eligibility import Applicant, check
from portal.domain.ics import build_calendar
from portal.domain.match_funding import MatchFundingError, split_cost
from portal.extensions import db
from portal.i18n import current_lang
from portal.labels import legal_forms_hint
from portal.models import Edition, EventKind, Role
from portal.rendering import kept_page, render_page
from portal.services import uploads
from portal.services.courses.calendar import programme, seats_left_for
from portal.services.courses.calendar_files import event_entry
from portal.services.editions import documents
from portal.services.editions.editions import current_edition, edition_or_404
from portal.services.editions.overview import call_page, call_state_of, event_state

# A document's file never changes under its address (a new version is a new document); an hour in
# shared caches bounds how long one that staff removed can still be served from them.
DOCUMENT_MAX_AGE = 3600


def _current_or_404() -> Edition:
    return current_edition() or abort(404)


@bp.get("/bando")
def edition_current():
    return redirect(url_with_query("call.edition", year=_current_or_404().year))


@bp.get("/bando/<int:year>")
def edition(year: int):
    # Without a cost to split, the page's own parts are kept per data version; with one, rendered.
    key = None if "costo" in request.args else f"call.{year}"
    return kept_page("call/edition.html", key, lambda: _edition_context(year), ("calculator", "calculator_status"))


def _edition_context(year: int) -> dict:
    edition = edition_or_404(year)
    form = CostForm(formdata=request.args)
    split = _calculate(form, edition) if "costo" in request.args and edition.has_match_rule else None
    page = call_page(edition, now())
    return dict(
        edition=edition,
        overview=page.overview,
        form=form,
        split=split,
        examples=_examples(edition),
        documents=page.documents,
        size_label=documents.size_label,
        format_label=documents.format_label,
        ranking=page.ranking,
        achieved=page.achieved,
        page_has_errors=bool(form.errors),
        link_preview=link_previews.call_preview(edition, page.overview.call),
    )


@bp.get("/bando/<int:year>/documenti/<int:document_id>")
def document(year: int, document_id: int):
    """An official document of the call, always as a download (a PDF opened inside the portal's
    origin could run what a PDF viewer runs), under its cleaned name. The public gets it once the
    edition (and, for the ranking, the ranking) is published, from shared caches too; staff sooner."""
    edition = db.session.scalars(db.select(Edition).filter_by(year=year)).one_or_none() or abort(404)
    doc = documents.document_of(edition, document_id) or abort(404)
    public = documents.is_listed(doc, edition, now())
    if not public and not (current_user.is_authenticated and current_user.role is Role.STAFF):
        abort(404)
    path = uploads.path_of(doc.storage_key)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=uploads.display_name(doc.filename),
        etag=doc.sha256,
        max_age=DOCUMENT_MAX_AGE if public else 0,
        conditional=True,
    )
    if public:
        response.cache_control.public = True
    else:
        response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


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
        forms_hint=legal_forms_hint(edition.eligible_legal_forms),
        page_has_errors=bool(form.errors),
    )


@bp.get("/sessione-informativa")
def info_session():
    sessions = programme().of(_current_or_404().id, EventKind.INFO_SESSION)
    if not sessions:
        abort(404)
    return redirect(url_for("call.event", slug=sessions[0].slug))


def _event_or_404(slug: str):
    return programme().by_slug(slug) or abort(404)


@bp.get("/eventi/<slug>")
def event(slug: str):
    event = _event_or_404(slug)
    seats = seats_left_for(event) if event.needs_registration else None
    return render_template("call/event.html", event=event, state=event_state(event, now()), seats_left=seats)


@bp.get("/eventi/<slug>.ics")
def event_ics(slug: str):
    event = _event_or_404(slug)
    entry = event_entry(event, current_lang())
    body = build_calendar([entry], stamp=now(), tz=ROME, name=_("Crowdfunding Civico"))
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )
