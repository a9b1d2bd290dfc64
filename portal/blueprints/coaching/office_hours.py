"""The coach's office hours: publish a slot (Rome's date and times), see who booked each, remove
an unbooked one. Coaches see and change their own slots; staff see everyone's and publish their own.
Who may open the coaches' area at all is the blueprint's rule (coaching/views.py `coaches_and_staff_only`).
Booking is the team's (blueprints/applications/office_hours.py); both ask services/courses/office_hours.py."""

from __future__ import annotations

import re
from datetime import datetime, time

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from portal import limits
from portal.blueprints.coaching import bp
from portal.clock import ROME, now
from portal.domain import DomainError
from portal.domain.office_hours import MAX_SEATS, OfficeHourError
from portal.form_fields import DateField, WholeNumberField, clean, strip
from portal.models import Role, Venue
from portal.rendering import form_page
from portal.services.courses import office_hours as service

ONLINE, IN_PERSON = "online", "in_presenza"


class TimeOfDayField(StringField):
    """A time of day typed as 16:30 (or 16.30); on `.time`."""

    def pre_validate(self, form) -> None:
        self.time = None
        raw = (self.data or "").strip()
        if not raw:
            raise StopValidation(_l("Scrivi l'ora, ad esempio 16:30"))
        match = re.fullmatch(r"(\d{1,2})[:.](\d{2})", raw)
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise StopValidation(_l("Scrivi un'ora vera nel formato hh:mm, ad esempio 16:30"))
        self.time = time(int(match.group(1)), int(match.group(2)))


class SlotForm(FlaskForm):
    giorno = DateField(_l("Giorno"))
    inizio = TimeOfDayField(_l("Dalle (ora di Roma)"))
    fine = TimeOfDayField(_l("Alle (ora di Roma)"))
    posti = WholeNumberField(
        _l("Posti"),
        default="1",
        minimum=1,
        maximum=MAX_SEATS,
        message=_l("Scrivi il numero di posti, da %(min)d a %(max)d"),
        required_message=_l("Scrivi il numero di posti, da %(min)d a %(max)d"),
    )
    modalita = RadioField(
        _l("Dove"),
        choices=[SelectChoice(ONLINE, _l("Online, con un link")), SelectChoice(IN_PERSON, _l("In presenza"))],
        default=ONLINE,
        validators=[],
    )
    link = URLField(
        _l("Link per partecipare"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=500, message=_l("Al massimo 500 caratteri")),
        ],
    )
    luogo = StringField(
        _l("Luogo"),
        filters=[clean],
        validators=[Length(max=300, message=_l("Al massimo 300 caratteri"))],
    )

    def validate_giorno(self, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError(_l("Scrivi il giorno, ad esempio 01/09/2020"))

    def validate_link(self, field) -> None:
        if self.modalita.data == ONLINE and not field.data:
            raise ValidationError(_l("Scrivi il link della videochiamata"))
        if field.data and not re.fullmatch(r"https?://[^\s/]+\.[^\s]+", field.data, re.IGNORECASE):
            raise ValidationError(_l("Scrivi un indirizzo che inizia con https://"))

    def validate_luogo(self, field) -> None:
        if self.modalita.data == IN_PERSON and not field.data:
            raise ValidationError(_l("Scrivi dove vi incontrate, ad esempio l'indirizzo e la stanza"))

    def moment(self, field: TimeOfDayField) -> datetime:
        return datetime.combine(self.giorno.date, field.time, tzinfo=ROME)


# Where each refusal of the service shows: the field it concerns, and what it says.
SLOT_PROBLEMS = {
    OfficeHourError.ENDS_BEFORE_START: ("fine", _l("L'ora di fine deve venire dopo l'ora di inizio")),
    OfficeHourError.IN_THE_PAST: ("giorno", _l("Scegli un giorno e un'ora che devono ancora venire")),
    OfficeHourError.TOO_LONG: ("fine", _l("Un ricevimento dura al massimo %(hours)d ore")),
    OfficeHourError.SEATS: ("posti", _l("Scrivi il numero di posti, da 1 a %(max)d")),
    OfficeHourError.NO_LINK: ("link", _l("Scrivi il link della videochiamata")),
}


def _page(form: SlotForm):
    staff = current_user.role is Role.STAFF
    slots = service.slots_of_coach(None if staff else current_user.id, now())
    return form_page(
        "coaching/office_hours.html",
        form,
        False,
        slots=slots,
        campaigns=service.campaigns_by_id(slots),
        coaches=service.coaches_by_id(slots) if staff else {},
        now=now(),
    )


@bp.route("/ricevimento", methods=["GET", "POST"])
@limits.signed_in_writes
def office_hours():
    form = SlotForm()
    if form.validate_on_submit():
        online = form.modalita.data == ONLINE
        try:
            service.add_office_hour(
                current_user,
                form.moment(form.inizio),
                form.moment(form.fine),
                form.posti.number,
                Venue.ZOOM if online else Venue.IN_PERSON,
                form.link.data if online else None,
                current_user,
                now(),
                place=None if online else form.luogo.data,
            )
        except DomainError as error:
            field, message = SLOT_PROBLEMS.get(error.code) or abort(404)
            getattr(form, field).errors = [message % error.params if error.params else message]
        else:
            flash(_("Ricevimento pubblicato: le squadre che accompagni possono prenotarlo."), "success")
            return redirect(url_for("coaching.office_hours"), code=303)
    return _page(form)


@bp.post("/ricevimento/<int:event_id>/rimuovi")
@limits.signed_in_writes
def remove_office_hour(event_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        service.remove_office_hour(event_id, current_user, now())
    except DomainError as error:
        if error.code != OfficeHourError.BOOKED:
            abort(404)
        flash(
            _("Questo ricevimento è prenotato: chiedi alla squadra di annullare la prenotazione, poi rimuovilo."),
            "warning",
        )
    else:
        flash(_("Ricevimento rimosso."), "success")
    return redirect(url_for("coaching.office_hours"), code=303)
