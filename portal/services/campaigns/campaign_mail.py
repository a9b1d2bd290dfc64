"""E-mails about pledges and campaigns, each in its reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.domain.funding import money_of
from portal.extensions import db
from portal.i18n import money
from portal.models import Application, Campaign, Pledge, User
from portal.services import mail
from portal.urls import absolute_url

SUBJECTS = {
    "instructions": _l("Il tuo sostegno a «%(title)s»: come completare il pagamento"),
    "confirmed": _l("Pagamento ricevuto: grazie per il sostegno a «%(title)s»"),
    "grant": _l("«%(title)s» ha raggiunto la soglia: il Comune aggiunge %(amount)s"),
    "succeeded": _l("Campagna conclusa con successo: «%(title)s»"),
    "not_funded": _l("Campagna conclusa senza raggiungere la soglia: «%(title)s»"),
    "cancelled": _l("Sostegno annullato: «%(title)s» si è conclusa"),
    "receipt": _l("La ricevuta del tuo sostegno a «%(title)s»"),
}


def _send(kind: str, to: str, lang: str, template: str, campaign: Campaign, now: datetime, **context: object) -> None:
    mail.send(
        template,
        to=to,
        lang=lang,
        subject=SUBJECTS[kind],
        subject_args={"title": campaign.title, "amount": LazyString(money, campaign.grant_cents or 0)},
        now=now,
        campaign=campaign,
        campaign_url=absolute_url("campaigns.detail", lang=lang, slug=campaign.slug),
        money=money_of(campaign, campaign.state(now)),  # told as on every page (campaigns/_money.txt)
        **context,
    )


def _pledge_context(pledge: Pledge) -> dict:
    config = current_app.config
    return {
        "pledge": pledge,
        "pledge_url": absolute_url("campaigns.pledge_status", lang=pledge.lang, token=pledge.token),
        "iban": config["PLEDGE_IBAN"],
        "beneficiary": config["PLEDGE_BENEFICIARY"],
        "bank": config["PLEDGE_BANK"],
    }


def queue_pledge_instructions(pledge: Pledge, campaign: Campaign, now: datetime) -> None:
    _send("instructions", pledge.email, pledge.lang, "pledge_instructions", campaign, now, **_pledge_context(pledge))


def queue_pledge_confirmed(pledge: Pledge, campaign: Campaign, now: datetime) -> None:
    _send("confirmed", pledge.email, pledge.lang, "pledge_confirmed", campaign, now, **_pledge_context(pledge))


def _organisation_contact(campaign: Campaign) -> User | None:
    """The account that applied for the project (campaigns loaded as demo data have none)."""
    if campaign.application_id is None:
        return None
    application = db.session.get(Application, campaign.application_id)
    return db.session.get(User, application.created_by_id)


def _organisation_and_team(kind: str, template: str, campaign: Campaign, now: datetime, **context) -> None:
    contact = _organisation_contact(campaign)
    if contact is not None:
        _send(kind, contact.email, contact.lang, template, campaign, now, for_team=False, **context)
    _send(kind, current_app.config["PROGRAMME_TEAM_EMAIL"], "it", template, campaign, now, for_team=True, **context)


def queue_grant_committed(campaign: Campaign, now: datetime) -> None:
    _organisation_and_team("grant", "grant_committed", campaign, now)


def queue_campaign_closed(
    campaign: Campaign, cancelled: Sequence[Pledge], refunds: Sequence[Pledge], now: datetime
) -> None:
    kind = "succeeded" if campaign.grant_committed else "not_funded"
    _organisation_and_team(kind, "campaign_closed", campaign, now, cancelled=cancelled, refunds=refunds)
    for pledge in cancelled:
        _send("cancelled", pledge.email, pledge.lang, "pledge_cancelled", campaign, now, **_pledge_context(pledge))
    # Each paid pledge's supporter hears of the refund from services/payments/refund_mail.py.


def queue_receipts(campaign: Campaign, confirmed: Sequence[Pledge], now: datetime) -> None:
    """A campaign succeeded: each confirmed supporter gets the link to their receipt (a PDF in
    their language, drawn when opened: services/payments/receipts.py) and to all their pledges."""
    for pledge in confirmed:
        _send(
            "receipt",
            pledge.email,
            pledge.lang,
            "pledge_receipt",
            campaign,
            now,
            **_pledge_context(pledge),
            receipt_url=absolute_url("campaigns.receipt", lang=pledge.lang, token=pledge.token),
            supporter_url=absolute_url("campaigns.supporter", lang=pledge.lang),
        )
