"""E-mails about an application, in the language of the person who filled it."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.extensions import db
from portal.models import Application, User
from portal.services import applications, mail
from portal.services.calendar_files import absolute_url
from portal.services.neighbourhoods import nil_or_none


def _send(application: Application, template: str, subject: str, now: datetime) -> None:
    author = db.session.get(User, application.created_by_id)
    with force_locale(author.lang):
        body = render_template(
            template,
            application=application,
            user=author,
            lang=author.lang,
            receipt_url=absolute_url("applications.receipt", lang=author.lang, application_id=application.id),
            split=applications.funding_split(application),
            nil=nil_or_none(application.nil_id),
        )
        mail.queue(author.email, _(subject, protocol=application.protocol_number), body, now)


def queue_receipt(application: Application, now: datetime) -> None:
    _send(application, "mail/application_receipt.txt", "Domanda ricevuta: protocollo %(protocol)s", now)


def queue_withdrawal(application: Application, now: datetime) -> None:
    _send(application, "mail/application_withdrawn.txt", "Domanda ritirata: protocollo %(protocol)s", now)
