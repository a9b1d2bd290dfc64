from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import limits
from portal.blueprints.courses import bp
from portal.blueprints.courses.forms import RegistrationForm
from portal.clock import ROME, now
from portal.converters import query_int
from portal.domain import DomainError
from portal.domain.ics import build_calendar
from portal.i18n import current_lang, time, when
from portal.rendering import render_page
from portal.services import mail
from portal.services.courses import registrations
from portal.services.courses.calendar import calendar, lessons_to_add
from portal.services.courses.calendar_files import event_entry, join_link_label
from portal.services.courses.registration_mail import calendar_attachment
from portal.services.courses.registrations import CancellationError
from portal.services.editions.editions import current_edition


def _calendar_or_404():
    edition = current_edition() or abort(404)
    return edition, calendar(edition, now())


@bp.get("/calendario")
def calendar_page():
    edition, items = _calendar_or_404()
    return render_template("courses/calendar.html", edition=edition, items=items)


@bp.get("/calendario.ics")
def calendar_feed():
    edition, items = _calendar_or_404()
    lang = current_lang()
    entries = [event_entry(item.event, lang) for item in items]
    body = build_calendar(entries, stamp=now(), tz=ROME, name=_("Crowdfunding Civico %(year)s", year=edition.year))
    return Response(body, mimetype="text/calendar")


@bp.route("/calendario/iscrizione", methods=["GET", "POST"])
@limits.course_registration
def register():
    edition, items = _calendar_or_404()
    open_items = [item for item in items if item.takes_registrations]
    form = RegistrationForm()
    form.lezioni.choices = [(item.event.id, item.event.title(current_lang())) for item in open_items]
    preselected = query_int(request.args, "lezione")
    if request.method == "GET" and preselected is not None:
        form.lezioni.data = [preselected]
    outcome = None
    if form.validate_on_submit():
        sign_up = registrations.SignUp(
            name=form.nome.data,
            email=form.email.data,
            organisation=form.organizzazione.data,
            lang=current_lang(),
            event_ids=tuple(form.lezioni.data),
        )
        outcome = registrations.register(sign_up, now(), newsletter=form.newsletter.data)
        mail.deliver_now_if_immediate(now())
    return render_page(
        "courses/register.html",
        blocks=("registration", "registration_status"),
        edition=edition,
        items=open_items,
        form=form,
        outcome=outcome,
        page_has_errors=bool(form.errors),
    )


def _registrant_or_404(token: str):
    return registrations.registrant_by_token(token) or abort(404)


@bp.get("/iscrizioni/<token>")
def personal(token: str):
    registrant = _registrant_or_404(token)
    page = render_template(
        "courses/personal.html",
        registrant=registrant,
        now=now(),
        to_add=lessons_to_add(registrant, current_edition(), now()),
        join_label=join_link_label,
    )
    response = Response(page)
    # A secret link: not cached by shared caches, not leaked to other sites.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _dates(event) -> str:
    return f"{when(event.starts_at)}–{time(event.ends_at)}"


@bp.post("/iscrizioni/<token>/aggiungi")
@limits.secret_link
def add_lesson(token: str):
    """One click on the personal page: one more lesson, same seats, waiting list and e-mail as the form."""
    registrant = _registrant_or_404(token)
    edition, items = _calendar_or_404()
    lesson_id = query_int(request.form, "lezione")
    if lesson_id not in {item.event.id for item in items if item.event.needs_registration}:
        abort(404)
    outcome = registrations.register_more(registrant, (lesson_id,), now())
    mail.deliver_now_if_immediate(now())
    lang, email = current_lang(), registrant.email
    for r in outcome.confirmed:
        title, dates = r.event.title(lang), _dates(r.event)
        flash(
            _(
                "%(title)s, %(dates)s (ora di Roma): posto confermato. Ti abbiamo scritto a %(email)s.",
                title=title,
                dates=dates,
                email=email,
            ),
            "success",
        )
    for r in outcome.waitlisted:
        title, dates = r.event.title(lang), _dates(r.event)
        flash(
            _(
                "%(title)s, %(dates)s (ora di Roma): sei in lista d'attesa. Ti abbiamo scritto a %(email)s.",
                title=title,
                dates=dates,
                email=email,
            ),
            "success",
        )
    for r in outcome.already:
        flash(_("%(title)s: hai già un'iscrizione.", title=r.event.title(lang)), "info")
    for event in outcome.closed:
        flash(_("%(title)s: le iscrizioni sono chiuse.", title=event.title(lang)), "warning")
    return redirect(url_for("courses.personal", token=token))


@bp.post("/iscrizioni/<token>/<int:registration_id>/annulla")
@limits.secret_link
def cancel(token: str, registration_id: int):
    registrant = _registrant_or_404(token)
    try:
        registrations.cancel(registrant, registration_id, now())
        mail.deliver_now_if_immediate(now())
    except DomainError as error:
        if error.code == CancellationError.NOT_FOUND:
            abort(404)
        flash(_("La lezione è già iniziata: non è più possibile annullare l'iscrizione."), "warning")
    else:
        flash(_("Iscrizione annullata."), "success")
    return redirect(url_for("courses.personal", token=token))


@bp.get("/iscrizioni/<token>.ics")
def personal_calendar(token: str):
    registrant = _registrant_or_404(token)
    confirmed = registrant.confirmed_registrations
    if not confirmed:
        abort(404)
    attachment = calendar_attachment(confirmed, now(), current_lang())
    return Response(
        attachment["content"],
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'attachment; filename="crowdfunding-civico.ics"',
            "Cache-Control": "private, no-store",
        },
    )
