"""Telling applicants the outcome, in their language."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.domain.application import ApplicationStatus
from portal.extensions import db
from portal.models import Application, User
from portal.services import mail
from portal.services.courses.calendar_files import absolute_url

SUBJECTS = {
    ApplicationStatus.SELECTED: _l("Il tuo progetto è stato selezionato – protocollo %(protocol)s"),
    ApplicationStatus.NOT_SELECTED: _l("Esito della domanda – protocollo %(protocol)s"),
}


def queue_decision(application: Application, now: datetime) -> None:
    author = db.session.get(User, application.created_by_id)
    with force_locale(author.lang):
        body = render_template(
            "mail/application_decision.txt",
            application=application,
            user=author,
            status_url=absolute_url("applications.receipt", lang=author.lang, application_id=application.id),
        )
        subject = str(SUBJECTS[application.status]) % {"protocol": application.protocol_number}
        mail.queue(author.email, subject, body, now)
