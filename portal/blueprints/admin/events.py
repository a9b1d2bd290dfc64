"""Staff pages for events: seats, links, materials, registrants, waitlist, CSV export."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal import limits
from portal.blueprints.admin import bp
from portal.blueprints.admin.forms import EventSettingsForm
from portal.blueprints.admin.views import csv_response
from portal.clock import now, to_rome
from portal.domain import DomainError
from portal.domain.registration import RegistrationStatus
from portal.domain.spreadsheet import to_csv
from portal.extensions import db
from portal.i18n import current_lang
from portal.models import Event
from portal.services import mail
from portal.services.courses import event_admin
from portal.services.courses.calendar import seats_left_for


def _event_or_404(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


@bp.get("/eventi")
def events():
    return render_template("admin/events.html", rows=event_admin.events_for_staff())


@bp.route("/eventi/<int:event_id>", methods=["GET", "POST"])
@limits.signed_in_writes
def event(event_id: int):
    event = _event_or_404(event_id)
    form = EventSettingsForm()
    if not form.is_submitted():
        settings = event_admin.settings_of(event)
        form.capacita.data = "" if settings.capacity is None else str(settings.capacity)
        form.link_collegamento.data = settings.join_url
        form.link_registrazione.data = settings.recording_url
        form.link_materiali.data = settings.materials_url
    elif form.validate():
        settings = event_admin.EventSettings(
            capacity=form.capacity,
            join_url=form.link_collegamento.data,
            recording_url=form.link_registrazione.data,
            materials_url=form.link_materiali.data,
        )
        try:
            promoted = event_admin.update_event(event.id, settings, current_user, now())
        except DomainError as error:
            form.capacita.errors = [
                ngettext(
                    "C'è già %(num)d iscrizione confermata: i posti non possono essere meno di così.",
                    "Ci sono già %(num)d iscrizioni confermate: i posti non possono essere meno di così.",
                    error.params["confirmed"],
                )
            ]
        else:
            mail.deliver_now_if_immediate(now())
            message = _("Modifiche salvate.")
            if promoted:
                message += " " + ngettext(
                    "%(num)d persona è passata dalla lista d'attesa ai posti confermati e ha ricevuto un'e-mail.",
                    "%(num)d persone sono passate dalla lista d'attesa ai posti confermati e hanno ricevuto un'e-mail.",
                    len(promoted),
                )
            flash(message, "success")
            return redirect(url_for("admin.event", event_id=event.id))
    return render_template(
        "admin/event.html",
        event=event,
        form=form,
        attendance=event_admin.attendance(event),
        seats_left=seats_left_for(event),
        page_has_errors=bool(form.errors),
    )


@bp.get("/eventi/<int:event_id>/iscritti.csv")
def event_csv(event_id: int):
    event = _event_or_404(event_id)
    people = event_admin.attendance(event)
    header = (
        _("Stato"),
        _("Posizione in lista d'attesa"),
        _("Nome e cognome"),
        _("E-mail"),
        _("Organizzazione"),
        _("Data di iscrizione (ora di Roma)"),
        _("Lingua"),
    )
    labels = {
        RegistrationStatus.CONFIRMED: _("Confermato"),
        RegistrationStatus.WAITLISTED: _("In lista d'attesa"),
        RegistrationStatus.CANCELLED: _("Annullato"),
    }
    rows = []
    for group in (people.confirmed, people.waitlisted, people.cancelled):
        for position, registration in enumerate(group, start=1):
            person = registration.registrant
            rows.append(
                (
                    labels[registration.status],
                    position if registration.is_waitlisted else "",
                    person.name,
                    person.email,
                    person.organisation or "",
                    to_rome(registration.created_at).strftime("%d/%m/%Y %H:%M"),
                    person.lang,
                )
            )
    filename = f"iscritti-{event.slug}.csv" if current_lang() == "it" else f"registrants-{event.slug}.csv"
    return csv_response(to_csv(header, rows), filename)
