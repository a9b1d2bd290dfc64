"""The e-mails of course registrations, in the registrant's language, with calendar files."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.clock import ROME
from portal.domain.ics import build_calendar
from portal.domain.registration import RegistrationStatus
from portal.models import Registration
from portal.services import mail
from portal.services.courses.calendar_files import absolute_url, event_entry


def calendar_attachment(registrations: list[Registration], now: datetime, lang: str) -> dict[str, str]:
    """One VEVENT per lesson, with the join link only the registrant receives."""
    entries = [event_entry(r.event, lang, for_registrant=r.id) for r in registrations]
    content = build_calendar(entries, stamp=now, tz=ROME, name=_("Crowdfunding Civico")).decode()
    return {"filename": "crowdfunding-civico.ics", "content_type": "text/calendar", "content": content}


def queue_sign_up(outcome, now: datetime) -> None:
    registrant = outcome.registrant
    with force_locale(registrant.lang):
        active = [
            r
            for r in sorted(registrant.registrations, key=lambda r: r.event.starts_at)
            if r.status is not RegistrationStatus.CANCELLED
        ]
        confirmed = [r for r in active if r.status is RegistrationStatus.CONFIRMED]
        body = render_template(
            "mail/sign_up.txt",
            registrant=registrant,
            outcome=outcome,
            active=active,
            lang=registrant.lang,
            personal_url=absolute_url("courses.personal", lang=registrant.lang, token=registrant.token),
        )
        subject = (
            _("Iscrizione confermata – Crowdfunding Civico")
            if outcome.confirmed or outcome.waitlisted
            else _("Sei già iscritto – il tuo link personale")
        )
        attachments = [calendar_attachment(confirmed, now, registrant.lang)] if confirmed else []
        mail.queue(registrant.email, subject, body, now, attachments)


def _queue_about(registration: Registration, template: str, subject: str, now: datetime, **context) -> None:
    """One e-mail about one registration, rendered in the registrant's language."""
    registrant = registration.registrant
    body = render_template(
        template,
        registrant=registrant,
        registration=registration,
        lang=registrant.lang,
        personal_url=absolute_url("courses.personal", lang=registrant.lang, token=registrant.token),
        **context,
    )
    attachments = context.get("attachments", [])
    mail.queue(registrant.email, subject, body, now, attachments)


def queue_promotion(registration: Registration, now: datetime) -> None:
    lang = registration.registrant.lang
    with force_locale(lang):
        subject = _("Si è liberato un posto: sei iscritto – Crowdfunding Civico")
        calendar = calendar_attachment([registration], now, lang)
        _queue_about(registration, "mail/promoted.txt", subject, now, attachments=[calendar])


def queue_reminder(registration: Registration, kind: str, now: datetime) -> None:
    lang = registration.registrant.lang
    with force_locale(lang):
        title = registration.event.title(lang)
        subject = _("Domani: %(title)s", title=title) if kind == "24h" else _("Tra un'ora: %(title)s", title=title)
        _queue_about(registration, "mail/reminder.txt", subject, now, kind=kind)
