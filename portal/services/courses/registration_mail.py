"""The e-mails of course registrations, in the registrant's language, with calendar files."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.clock import ROME
from portal.domain.ics import build_calendar
from portal.domain.registration import RegistrationStatus, ReminderKind
from portal.extensions import db
from portal.models import Campaign, Registrant, Registration, User
from portal.services import mail
from portal.services.courses.calendar_files import event_entry, join_link_label
from portal.urls import absolute_url

# Someone registering again for what they already have gets their personal link again, but at most
# this often: fifty posts of the form for one address are one e-mail, not fifty.
ALREADY_REGISTERED_MAIL_EVERY = timedelta(hours=1)


class SignUpOutcome(Protocol):
    """What a sign-up did (`registrations.Outcome`), as the e-mail reads it."""

    registrant: Registrant
    confirmed: list[Registration]
    waitlisted: list[Registration]


def calendar_attachment(registrations: list[Registration], now: datetime, lang: str) -> dict[str, str]:
    """One VEVENT per lesson or office hour, with the join link only the registrant receives, in `lang`."""
    with force_locale(lang):
        entries = [event_entry(r.event, lang, for_registrant=r.id, page_url=_page_of(r, lang)) for r in registrations]
        content = build_calendar(entries, stamp=now, tz=ROME, name=_("Crowdfunding Civico")).decode()
    return {"filename": "crowdfunding-civico.ics", "content_type": "text/calendar", "content": content}


def _page_of(registration: Registration, lang: str) -> str | None:
    """An office hour's booking points to the team's page of office hours (it has no public page)."""
    if not registration.event.is_office_hour or registration.campaign_id is None:
        return None
    application_id = db.session.get(Campaign, registration.campaign_id).application_id
    if application_id is None:
        return None
    return absolute_url("applications.office_hours", lang=lang, application_id=application_id)


def _send(
    registrant: Registrant,
    template: str,
    subject: LazyString,
    now: datetime,
    attachments: list[dict[str, str]] | None = None,
    subject_args: dict[str, str] | None = None,
    **context: object,
) -> None:
    mail.send(
        template,
        to=registrant.email,
        lang=registrant.lang,
        subject=subject,
        subject_args=subject_args,
        now=now,
        attachments=attachments,
        registrant=registrant,
        personal_url=absolute_url("courses.personal", lang=registrant.lang, token=registrant.token),
        join_label=join_link_label,
        **context,
    )


def queue_sign_up(outcome: SignUpOutcome, now: datetime) -> None:
    registrant = outcome.registrant
    active = [
        r
        for r in sorted(registrant.registrations, key=lambda r: r.event.starts_at)
        if r.status is not RegistrationStatus.CANCELLED
    ]
    confirmed = [r for r in active if r.status is RegistrationStatus.CONFIRMED]
    if outcome.confirmed:
        subject = _l("Iscrizione confermata – Crowdfunding Civico")
    elif outcome.waitlisted:
        subject = _l("Sei in lista d'attesa – Crowdfunding Civico")
    else:
        subject = _l("Hai già un'iscrizione – il tuo link personale")
    attachments = [calendar_attachment(confirmed, now, registrant.lang)] if confirmed else []
    _send(registrant, "sign_up", subject, now, attachments, outcome=outcome, active=active)


def queue_already_registered(outcome: SignUpOutcome, now: datetime) -> bool:
    """The "you are already registered" e-mail, unless one went to this person within the hour;
    True when queued. The claim is one conditional UPDATE of the registrant's row: of two requests
    at the same moment, on any server, exactly one sees the row change."""
    registrant = outcome.registrant
    claimed = db.session.execute(
        sa.update(Registrant)
        .where(
            Registrant.id == registrant.id,
            sa.or_(
                Registrant.already_registered_mail_at.is_(None),
                Registrant.already_registered_mail_at <= now - ALREADY_REGISTERED_MAIL_EVERY,
            ),
        )
        .values(already_registered_mail_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return False
    queue_sign_up(outcome, now)
    return True


def queue_promotion(registration: Registration, now: datetime) -> None:
    registrant = registration.registrant
    calendar = calendar_attachment([registration], now, registrant.lang)
    subject = _l("Si è liberato un posto: la tua iscrizione è confermata – Crowdfunding Civico")
    _send(registrant, "promoted", subject, now, [calendar], registration=registration)


def queue_reminder(registration: Registration, kind: ReminderKind, now: datetime) -> None:
    registrant = registration.registrant
    subject = _l("Domani: %(title)s") if kind.is_day_before else _l("Tra un'ora: %(title)s")
    title = registration.event.title(registrant.lang)
    template = "office_hour_reminder" if registration.event.is_office_hour else "reminder"
    _send(registrant, template, subject, now, subject_args={"title": title}, registration=registration, kind=kind)


def queue_office_hour_booked(registration: Registration, campaign: Campaign, coach: User, now: datetime) -> None:
    """The person who booked an office hour gets it with its calendar file, like a lesson's seat;
    the coach hears which campaign booked it, in the coach's language."""
    registrant = registration.registrant
    calendar = calendar_attachment([registration], now, registrant.lang)
    subject = _l("Ricevimento prenotato: %(title)s")
    title = registration.event.title(registrant.lang)
    _send(
        registrant,
        "office_hour_booked",
        subject,
        now,
        [calendar],
        subject_args={"title": title},
        registration=registration,
        campaign=campaign,
        team_url=_page_of(registration, registrant.lang),
    )
    _tell_coach(
        registration, campaign, coach, "office_hour_coach_booked", _l("Prenotazione del ricevimento: %(campaign)s"), now
    )


def queue_office_hour_cancelled(registration: Registration, campaign: Campaign, coach: User, now: datetime) -> None:
    """The coach hears that a team cancelled its booking (the seat is free again)."""
    _tell_coach(
        registration, campaign, coach, "office_hour_coach_cancelled", _l("Ricevimento annullato: %(campaign)s"), now
    )


def _tell_coach(
    registration: Registration, campaign: Campaign, coach: User, template: str, subject: LazyString, now: datetime
) -> None:
    mail.send(
        template,
        to=coach.email,
        lang=coach.lang,
        subject=subject,
        subject_args={"campaign": campaign.title},
        now=now,
        coach=coach,
        registration=registration,
        campaign=campaign,
        coach_url=absolute_url("coaching.office_hours", lang=coach.lang),
    )
