"""E-mails about an application, in the language of the person who filled it."""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.models import Application, User
from portal.services import mail
from portal.services.applications import applications
from portal.services.courses.calendar_files import absolute_url
from portal.services.places.neighbourhoods import nil_or_none


def _send(application: Application, template: str, subject, now: datetime) -> None:
    """`subject` is a lazy string with a %(protocol)s placeholder, rendered in the author's language."""
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
        mail.queue(author.email, str(subject) % {"protocol": application.protocol_number}, body, now)


def queue_receipt(application: Application, now: datetime) -> None:
    _send(application, "mail/application_receipt.txt", _l("Domanda ricevuta: protocollo %(protocol)s"), now)


def queue_withdrawal(application: Application, now: datetime) -> None:
    _send(application, "mail/application_withdrawn.txt", _l("Domanda ritirata: protocollo %(protocol)s"), now)
