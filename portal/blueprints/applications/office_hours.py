"""The team's office hours, from the application area: the coach's slots still free, booking one
(in the signed-in member's name and e-mail), the team's bookings with their calendar files, and
cancelling. Only the organisation whose application became a campaign with a coach (anyone else: 404)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from portal import limits
from portal.blueprints.applications import bp
from portal.blueprints.applications.access import organisation_required, own_application
from portal.clock import now
from portal.converters import query_int
from portal.domain import DomainError
from portal.domain.office_hours import OfficeHourError
from portal.i18n import current_lang, when
from portal.rendering import form_page
from portal.services import mail
from portal.services.campaigns import campaign_updates
from portal.services.courses import office_hours as service
from portal.services.courses.calendar_files import join_link_label
from portal.services.courses.registration_mail import calendar_attachment
from portal.services.courses.registrations import CancellationError

BOOKING_PROBLEMS = {
    OfficeHourError.CLOSED: _l("Questo ricevimento è già iniziato: scegli un altro orario."),
    OfficeHourError.FULL: _l("Questo orario è appena stato prenotato da un'altra squadra: scegline un altro."),
    OfficeHourError.ALREADY_HELD: _l(
        "La tua squadra ha già un ricevimento prenotato: dopo averlo fatto, o annullandolo, potete prenotarne un altro."
    ),
}


def _team_campaign(application_id: int):
    """The application's campaign, with a coach; 404 for anyone but its organisation."""
    application = own_application(application_id)
    campaign = campaign_updates.campaign_of_application(application.id)
    if campaign is None or campaign.coach_id is None:
        abort(404)
    return application, campaign


@bp.route("/<int:application_id>/campagna/ricevimento", methods=["GET", "POST"])
@limits.signed_in_writes
@organisation_required
def office_hours(application_id: int):
    application, campaign = _team_campaign(application_id)
    form = FlaskForm()
    if form.validate_on_submit():
        event_id = query_int(request.form, "ricevimento")
        if event_id is None:
            flash(_("Scegli uno degli orari di ricevimento."), "warning")
            return redirect(url_for("applications.office_hours", application_id=application.id), code=303)
        try:
            booked = service.book(event_id, campaign, current_user, now())
        except DomainError as error:
            if error.code == OfficeHourError.NOT_FOUND:
                abort(404)
            flash(str(BOOKING_PROBLEMS[error.code]), "warning")
        else:
            mail.deliver_now_if_immediate(now())
            flash(
                _(
                    "Ricevimento prenotato: %(when)s. Ti abbiamo scritto a %(email)s con il file del calendario.",
                    when=when(booked.event.starts_at),
                    email=current_user.email,
                ),
                "success",
            )
        return redirect(url_for("applications.office_hours", application_id=application.id), code=303)
    return form_page(
        "applications/office_hours.html",
        form,
        False,
        application=application,
        campaign=campaign,
        coach=campaign.coach,
        slots=service.open_slots(campaign, now()),
        bookings=service.bookings_of(campaign),
        holds_upcoming=service.holds_upcoming(campaign, now()),
        join_label=join_link_label,
        now=now(),
    )


@bp.post("/<int:application_id>/campagna/ricevimento/<int:registration_id>/annulla")
@limits.signed_in_writes
@organisation_required
def cancel_office_hour(application_id: int, registration_id: int):
    application, campaign = _team_campaign(application_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        service.cancel_booking(registration_id, campaign, now())
    except DomainError as error:
        if error.code != CancellationError.STARTED:
            abort(404)
        flash(_("Il ricevimento è già iniziato: non è più possibile annullare la prenotazione."), "warning")
    else:
        mail.deliver_now_if_immediate(now())
        flash(_("Prenotazione annullata: l'orario è di nuovo libero."), "success")
    return redirect(url_for("applications.office_hours", application_id=application.id), code=303)


@bp.get("/<int:application_id>/campagna/ricevimento/<int:registration_id>.ics")
@organisation_required
def office_hour_calendar(application_id: int, registration_id: int):
    """A booking's calendar file, with the join link (the same file as the confirmation e-mail's)."""
    _application, campaign = _team_campaign(application_id)
    booking = service.booking_of(registration_id, campaign) or abort(404)
    attachment = calendar_attachment([booking], now(), current_lang())
    return Response(
        attachment["content"],
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'attachment; filename="ricevimento.ics"',
            "Cache-Control": "private, no-store",
        },
    )
