"""Receipts for donations, the supporter's page of their pledges, and the donors' list for the
Agenzia delle Entrate.

A receipt is issued in the organisation's name, with the portal (the Comune) as collecting
intermediary, for a confirmed pledge of a campaign that succeeded (`tax_relief.receipt_due`);
the note on art. 83 only where the organisation's checked status qualifies at the donation's date
(`tax_relief.relief_at`). The PDF is HTML (templates/receipts/) rendered by WeasyPrint, in the
supporter's language.

The supporter's page needs no account: a link signed with SECRET_KEY (itsdangerous) carries the
address it was sent to, and lists that address's pledges.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.clock import to_rome
from portal.domain.campaign import CampaignState
from portal.domain.pledge import PledgeStatus
from portal.domain.tax_relief import Relief, receipt_due, relief_at
from portal.extensions import db
from portal.models import Campaign, Organisation, Pledge
from portal.services import mail
from portal.services.transaction import transactional
from portal.urls import absolute_url

SUPPORTER_LINK_SALT = "supporter-pledges"
SUPPORTER_LINK_DAYS = 7  # how long the link in the e-mail opens the page
SUPPORTER_SUBJECT = _l("I tuoi sostegni al Crowdfunding Civico")
STATIC = Path(__file__).resolve().parents[2] / "static"


@dataclass(frozen=True)
class Receipt:
    pledge: Pledge
    campaign: Campaign
    organisation: Organisation | None  # None: a campaign loaded without one (the demo's 2016 projects)
    donated_on: date  # the day the payment was confirmed, in Rome
    relief: Relief | None  # the art. 83 note, or None
    intermediary: str  # who collected the money for the organisation


def _is_due(pledge: Pledge, campaign: Campaign) -> bool:
    """Closed, and succeeded as the closing run found it (whatever the clock says now)."""
    succeeded = campaign.closed_at is not None and campaign.state(campaign.closed_at) is CampaignState.SUCCEEDED
    return receipt_due(pledge.status is PledgeStatus.CONFIRMED, succeeded)


def receipt_of(pledge: Pledge) -> Receipt | None:
    """The pledge's receipt, or None when none is due (not confirmed, campaign not succeeded)."""
    campaign = pledge.campaign
    if pledge.confirmed_at is None or not _is_due(pledge, campaign):
        return None
    organisation = db.session.get(Organisation, campaign.organisation_id) if campaign.organisation_id else None
    donated_on = to_rome(pledge.confirmed_at).date()
    relief = None
    if organisation is not None and organisation.fiscal_status_checked_at is not None:
        # Only a status staff have checked prints the note (`Organisation.fiscal_status_checked_at`).
        relief = relief_at(organisation.fiscal_status, organisation.fiscal_status_since, donated_on)
    return Receipt(
        pledge=pledge,
        campaign=campaign,
        organisation=organisation,
        donated_on=donated_on,
        relief=relief,
        intermediary=current_app.config["PLEDGE_BENEFICIARY"],
    )


def receipt_by_token(token: str) -> Receipt | None:
    """The receipt of the pledge whose secret is `token` (the link of its page and e-mails)."""
    pledge = db.session.scalar(sa.select(Pledge).where(Pledge.token == token[:64]))
    return receipt_of(pledge) if pledge is not None else None


def receipt_filename(receipt: Receipt) -> str:
    return f"ricevuta-{receipt.pledge.reference}.pdf"


def render_pdf(receipt: Receipt, lang: str) -> bytes:
    """The receipt as a PDF in `lang`: the HTML of templates/receipts/receipt.html, its fonts read
    from the portal's static files, never from the network."""
    from weasyprint import HTML, URLFetcher  # heavy: loaded only when a receipt is drawn

    static = STATIC.resolve().as_uri() + "/"

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(static):
                raise ValueError(f"a receipt reads only the portal's static files, not {url}")
            return super().fetch(url, headers)

    with force_locale(lang):
        html = render_template("receipts/receipt.html", receipt=receipt, lang=lang)
    fetcher = StaticFilesOnly(allowed_protocols=("file",))
    return HTML(string=html, base_url=static, url_fetcher=fetcher).write_pdf()


# --- The supporter's page ----------------------------------------------------------------------
def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SUPPORTER_LINK_SALT)


def normalise(email: str) -> str:
    return email.strip().lower()


def _pledges_of(email: str) -> list[Pledge]:
    return list(
        db.session.scalars(
            sa.select(Pledge)
            .where(sa.func.lower(Pledge.email) == normalise(email))
            .order_by(Pledge.created_at.desc(), Pledge.id.desc())
        )
    )


@transactional
def send_supporter_link(email: str, lang: str, now: datetime) -> bool:
    """Queue the link to the supporter's page, only if the address has pledges (the page that asks
    answers the same either way, so nobody learns who gave). True when an e-mail was queued; the
    caller's transaction commits it."""
    address = normalise(email)
    if not _pledges_of(address):
        return False
    token = _serializer().dumps(address)
    mail.send(
        "supporter_link",
        to=address,
        lang=lang,
        subject=SUPPORTER_SUBJECT,
        now=now,
        link=absolute_url("campaigns.supporter_pledges", lang=lang, token=token),
        days=SUPPORTER_LINK_DAYS,
    )
    return True


def email_of_link(token: str) -> str | None:
    """The address a supporter's link was sent to, or None when forged or expired."""
    try:
        value = _serializer().loads(token, max_age=SUPPORTER_LINK_DAYS * 86_400)
    except (BadSignature, UnicodeError):
        return None
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class SupporterPledge:
    pledge: Pledge
    receipt: Receipt | None


def supporter_pledges(email: str) -> list[SupporterPledge]:
    return [SupporterPledge(p, receipt_of(p)) for p in _pledges_of(email)]


# --- The donors' list for the Agenzia delle Entrate --------------------------------------------
@dataclass(frozen=True)
class DonorTotal:
    codice_fiscale: str
    amount_cents: int
    donations: int
    relief_cents: int  # of which with the art. 83 note on the receipt


def organisations_with_campaigns() -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(
                Organisation.id.in_(sa.select(Campaign.organisation_id).where(Campaign.organisation_id.is_not(None)))
            )
            .order_by(Organisation.name)
        )
    )


def donors_of_year(organisation_id: int, year: int) -> list[DonorTotal]:
    """Per donor's codice fiscale, what they gave the organisation in `year` (Rome): the
    donations with a receipt (confirmed, campaign succeeded) whose donor gave a codice fiscale."""
    pledges = db.session.scalars(
        sa.select(Pledge)
        .join(Campaign, Pledge.campaign_id == Campaign.id)
        .where(
            Campaign.organisation_id == organisation_id,
            Pledge.status == PledgeStatus.CONFIRMED,
            Pledge.codice_fiscale.is_not(None),
            Pledge.codice_fiscale != "",
        )
        .order_by(Pledge.id)
    )
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for pledge in pledges:
        receipt = receipt_of(pledge)
        if receipt is None or receipt.donated_on.year != year:
            continue
        total = totals[pledge.codice_fiscale.upper()]
        total[0] += pledge.amount_cents
        total[1] += 1
        total[2] += pledge.amount_cents if receipt.relief else 0
    return [DonorTotal(cf, *figures) for cf, figures in sorted(totals.items())]
