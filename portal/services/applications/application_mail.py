"""E-mails about an application, to the person who filled it, in their language."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.extensions import db
from portal.models import Application, User
from portal.services import mail
from portal.services.places.neighbourhoods import nil_or_none
from portal.urls import absolute_url


def _send(application: Application, template: str, subject: LazyString, now: datetime) -> None:
    """`subject` has a %(protocol)s placeholder."""
    author = db.session.get(User, application.created_by_id)
    mail.send(
        template,
        to=author.email,
        lang=author.lang,
        subject=subject,
        subject_args={"protocol": application.protocol_number},
        now=now,
        application=application,
        user=author,
        receipt_url=absolute_url("applications.receipt", lang=author.lang, application_id=application.id),
        split=application.funding_split,
        nil=nil_or_none(application.nil_id),
    )


def queue_receipt(application: Application, now: datetime) -> None:
    _send(application, "application_receipt", _l("Domanda ricevuta: protocollo %(protocol)s"), now)


def queue_withdrawal(application: Application, now: datetime) -> None:
    _send(application, "application_withdrawn", _l("Domanda ritirata: protocollo %(protocol)s"), now)
