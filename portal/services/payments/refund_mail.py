"""E-mails about refunds, each in the supporter's language: the refund under way (or the request
for an IBAN), and the money sent back."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.domain.funding import money_of
from portal.domain.refund import masked_iban
from portal.models import Refund
from portal.services import mail
from portal.urls import absolute_url

SUBJECTS = {
    "opened": _l("Rimborso del tuo sostegno a «%(title)s»"),
    "done": _l("Rimborso eseguito: il tuo sostegno a «%(title)s»"),
}
# The template of the first e-mail, by the way the money goes back.
OPENED_TEMPLATES = {True: "refund_iban_request", False: "pledge_refund"}


def _send(kind: str, template: str, refund: Refund, now: datetime) -> None:
    pledge = refund.pledge
    campaign = pledge.campaign
    mail.send(
        template,
        to=pledge.email,
        lang=pledge.lang,
        subject=SUBJECTS[kind],
        subject_args={"title": campaign.title},
        now=now,
        campaign=campaign,
        pledge=pledge,
        refund=refund,
        campaign_url=absolute_url("campaigns.detail", lang=pledge.lang, slug=campaign.slug),
        pledge_url=absolute_url("campaigns.pledge_status", lang=pledge.lang, token=pledge.token),
        iban_url=absolute_url("campaigns.refund_iban", lang=pledge.lang, token=pledge.token),
        masked_iban=masked_iban(refund.iban) if refund.iban else "",
        money=money_of(campaign, campaign.state(now)),  # told as on every page (campaigns/_money.txt)
    )


def queue_refund_opened(refund: Refund, now: datetime) -> None:
    """A card refund under way (nothing to do), or the secret link to give an IBAN."""
    _send("opened", OPENED_TEMPLATES[refund.awaits_iban], refund, now)


def queue_refund_done(refund: Refund, now: datetime) -> None:
    _send("done", "refund_done", refund, now)
