"""Telling applicants the outcome, in their language."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.domain.application import ApplicationStatus
from portal.extensions import db
from portal.models import Application, User
from portal.services import mail
from portal.urls import absolute_url

SUBJECTS = {
    ApplicationStatus.SELECTED: _l("Il tuo progetto è stato selezionato – protocollo %(protocol)s"),
    ApplicationStatus.NOT_SELECTED: _l("Esito della domanda – protocollo %(protocol)s"),
}


def queue_decision(application: Application, now: datetime) -> None:
    author = db.session.get(User, application.created_by_id)
    mail.send(
        "application_decision",
        to=author.email,
        lang=author.lang,
        subject=SUBJECTS[application.status],
        subject_args={"protocol": application.protocol_number},
        now=now,
        application=application,
        user=author,
        status_url=absolute_url("applications.receipt", lang=author.lang, application_id=application.id),
    )
