"""Paying a pledge by bank transfer: the details the instructions show (the IBAN in groups of four,
each value ready to copy) and the EPC QR code banking apps scan, served from the pledge's secret link."""

from __future__ import annotations

import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort, current_app, make_response, url_for

from portal.blueprints.campaigns import bp
from portal.clock import now
from portal.domain.epc_qr import EpcTransfer, electronic_iban, epc_transfer, grouped_iban
from portal.domain.pledge import PaymentMethod
from portal.extensions import db
from portal.models import Pledge

QR_SIZE = 200  # CSS pixels on the page: a banking app reads it from a screen or a printed page

bp.add_app_template_filter(grouped_iban, "grouped_iban")  # what people read, everywhere an IBAN is shown
bp.add_app_template_filter(electronic_iban, "electronic_iban")  # what the copy button copies


@dataclass(frozen=True)
class BankTransfer:
    """What the bank-transfer instructions of one pledge show."""

    beneficiary: str
    iban: str  # electronic format; `|grouped_iban` to show it
    bic: str | None
    bank: str
    amount_cents: int
    reference: str
    qr_url: str
    qr_size: int = QR_SIZE


@bp.app_template_global("awaits_bank_transfer")
def awaits_bank_transfer(pledge: Pledge) -> bool:
    """The pledge is to be paid by bank transfer and still can be: pending, and its campaign open
    (after the last day the page says not to pay)."""
    return (
        pledge.status.awaits_payment
        and pledge.method is PaymentMethod.BANK_TRANSFER
        and pledge.campaign.state(now()).is_open
    )


@bp.app_template_global("bank_transfer")
def bank_transfer(pledge: Pledge) -> BankTransfer:
    """The portal's account and the pledge's amount and reference, for `campaigns/_bank_transfer.html`."""
    config = current_app.config
    return BankTransfer(
        beneficiary=config["PLEDGE_BENEFICIARY"],
        iban=electronic_iban(config["PLEDGE_IBAN"]),
        bic=config.get("PLEDGE_BIC") or None,
        bank=config["PLEDGE_BANK"],
        amount_cents=pledge.amount_cents,
        reference=pledge.reference,
        qr_url=url_for("campaigns.pledge_qr", token=pledge.token),
    )


def _epc(pledge: Pledge) -> EpcTransfer:
    config = current_app.config
    return epc_transfer(
        beneficiary=config["PLEDGE_BENEFICIARY"],
        iban=config["PLEDGE_IBAN"],
        bic=config.get("PLEDGE_BIC") or None,
        amount_cents=pledge.amount_cents,
        reference=pledge.reference,
    )


@bp.get("/sostegno/<token>/qr.svg")
def pledge_qr(token: str):
    """The EPC QR code of a pledge awaiting its bank transfer, as SVG; 404 for any other."""
    found = db.session.execute(sa.select(Pledge).where(Pledge.token == token[:64])).scalar_one_or_none()
    if found is None or not awaits_bank_transfer(found):
        abort(404)
    from segno import helpers  # loaded by the first QR code, not by every worker

    code = helpers.make_epc_qr(**_epc(found).segno_arguments())
    svg = io.BytesIO()
    # A viewBox without a size: the page gives the image its size, and it stays sharp when printed.
    code.save(svg, kind="svg", scale=1, border=4, omitsize=True, dark="#000", light="#fff", xmldecl=False)
    response = make_response(svg.getvalue())
    response.headers["Content-Type"] = "image/svg+xml"
    # Carries the amount and the reference of a secret link: as private as the pledge's page.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response
