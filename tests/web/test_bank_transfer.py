"""Paying by bank transfer: the EPC QR code's content (EPC069-12) decided in one place, its SVG served
only for a pledge still awaiting its transfer, the IBAN in groups of four wherever it is shown, and
every value plain text without JavaScript."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser

import pytest
import segno.helpers

from portal.domain.epc_qr import electronic_iban, epc_transfer, grouped_iban
from portal.domain.pledge import PaymentMethod, PledgeStatus
from portal.extensions import db
from portal.models import Pledge
from tests.campaigns import NOVEMBER, confirm, mails, make_campaign, pledge
from tests.html_validation import vnu_errors

IBAN = "IT60X0542811101000000123456"
GROUPED = "IT60 X054 2811 1010 0000 0123 456"
BENEFICIARY = "Comune di Milano – Crowdfunding Civico"
AFTER_THE_END = "2021-01-05T12:00:00+01:00"


@pytest.fixture(autouse=True)
def _november(at):
    at(NOVEMBER)


@pytest.fixture
def campaign_id(app):
    return make_campaign(app)


def token_of(app, reference: str) -> str:
    with app.app_context():
        return db.session.scalars(db.select(Pledge.token).filter_by(reference=reference)).one()


def set_pledge(app, reference: str, **values) -> None:
    with app.app_context():
        found = db.session.scalars(db.select(Pledge).filter_by(reference=reference)).one()
        for name, value in values.items():
            setattr(found, name, value)
        db.session.commit()


def words(response) -> str:
    """What the page says, tags removed."""
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(html).replace("\u00a0", " "))


def epc_lines(monkeypatch, client, url: str) -> tuple[object, list[str]]:
    """The response to `url` and the EPC payload segno was asked to draw (nothing is decoded)."""
    drawn = []
    make_qr = segno.make_qr

    def recording(content, *args, **kwargs):
        drawn.append(content)
        return make_qr(content, *args, **kwargs)

    monkeypatch.setattr(segno, "make_qr", recording)
    response = client.get(url)
    return response, [line for payload in drawn for line in payload.decode("utf-8").split("\n")]


# --- the rule: what the code carries --------------------------------------------------------


def test_the_iban_reads_in_groups_of_four_and_copies_without_spaces():
    assert grouped_iban(IBAN) == GROUPED
    assert grouped_iban(" it60 x054 2811101000000123456 ") == GROUPED
    assert electronic_iban(GROUPED) == IBAN
    assert grouped_iban("DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"


def test_the_code_carries_the_account_the_amount_in_euros_and_the_reference():
    transfer = epc_transfer(
        beneficiary=f" {BENEFICIARY} ", iban=GROUPED, amount_cents=25_50, reference="CC2020-7K3M9Q2X-9"
    )
    assert transfer.beneficiary == BENEFICIARY
    assert transfer.iban == IBAN
    assert transfer.bic is None
    assert transfer.amount == Decimal("25.50")
    assert transfer.remittance_text == "CC2020-7K3M9Q2X-9"
    assert epc_transfer(beneficiary="A", iban=IBAN, amount_cents=1, reference="R", bic="bpmoit22xxx").bic == (
        "BPMOIT22XXX"
    )


def test_the_payload_follows_epc069_12_in_version_002_and_utf_8(monkeypatch):
    """segno writes the lines; the rule decides what is in them."""
    drawn = []
    make_qr = segno.make_qr
    monkeypatch.setattr(segno, "make_qr", lambda content, **kw: drawn.append(content) or make_qr(content, **kw))
    transfer = epc_transfer(beneficiary=BENEFICIARY, iban=IBAN, amount_cents=20_00, reference="CC2020-7K3M9Q2X-9")
    code = segno.helpers.make_epc_qr(**transfer.segno_arguments())
    (payload,) = drawn
    assert payload.decode("utf-8").split("\n") == [
        "BCD",  # service tag
        "002",  # version: the BIC is optional
        "1",  # character set: UTF-8 (the "–" of the name)
        "SCT",  # SEPA credit transfer
        "",  # no BIC configured
        BENEFICIARY,
        IBAN,  # electronic format
        "EUR20",
        "",  # purpose
        "",  # no structured (RF) reference
        "CC2020-7K3M9Q2X-9",  # the remittance text: the pledge's reference
    ]
    assert len(payload) <= 331 and code.error == "M" and code.version <= 13

    drawn.clear()
    with_bic = epc_transfer(beneficiary="La Cordata", iban=IBAN, amount_cents=12_345, reference="R1", bic="BPMOIT22")
    segno.helpers.make_epc_qr(**with_bic.segno_arguments())
    lines = drawn[0].decode("utf-8").split("\n")
    assert lines[:8] == ["BCD", "002", "1", "SCT", "BPMOIT22", "La Cordata", IBAN, "EUR123.45"]


@pytest.mark.parametrize(
    "values",
    [
        {"beneficiary": "x" * 71},
        {"beneficiary": "  "},
        {"iban": "IT60X05428111010000001234567890123456"},
        {"iban": "60IT0542"},
        {"bic": "BPMOIT2"},
        {"amount_cents": 0},
        {"amount_cents": 1_000_000_000_00},
        {"reference": "x" * 141},
        {"reference": ""},
    ],
)
def test_what_the_standard_does_not_allow_is_refused(values):
    arguments = {"beneficiary": BENEFICIARY, "iban": IBAN, "amount_cents": 20_00, "reference": "CC2020", **values}
    with pytest.raises(ValueError):
        epc_transfer(**arguments)


# --- the QR code's address --------------------------------------------------------------------


def test_a_pledge_awaiting_its_transfer_gets_its_code_as_svg(app, client, campaign_id, monkeypatch):
    reference = pledge(app, campaign_id, 25_50)
    response, lines = epc_lines(monkeypatch, client, f"/it/sostegno/{token_of(app, reference)}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    body = response.get_data(as_text=True)
    assert body.startswith("<svg") and "viewBox" in body and body.rstrip().endswith("</svg>")
    assert "<script" not in body and "style=" not in body
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert lines == ["BCD", "002", "1", "SCT", "", BENEFICIARY, IBAN, "EUR25.5", "", "", reference]


def test_the_configured_bic_goes_into_the_code(app, client, campaign_id, monkeypatch):
    monkeypatch.setitem(app.config, "PLEDGE_BIC", "BPMOIT22XXX")
    reference = pledge(app, campaign_id, 10_00)
    response, lines = epc_lines(monkeypatch, client, f"/en/sostegno/{token_of(app, reference)}/qr.svg")
    assert response.status_code == 200
    assert lines[4] == "BPMOIT22XXX"
    page = client.get(f"/it/sostegno/{token_of(app, reference)}")
    assert "BIC BPMOIT22XXX" in words(page)


def test_no_code_for_an_unknown_token(client, campaign_id):
    assert client.get("/it/sostegno/nessuno/qr.svg").status_code == 404


def test_no_code_once_the_pledge_is_paid_or_cancelled(app, client, campaign_id):
    paid = pledge(app, campaign_id, 20_00)
    confirm(app, paid, 20_00)
    assert client.get(f"/it/sostegno/{token_of(app, paid)}/qr.svg").status_code == 404
    cancelled = pledge(app, campaign_id, 20_00, email="b@example.org")
    set_pledge(app, cancelled, status=PledgeStatus.CANCELLED)
    assert client.get(f"/it/sostegno/{token_of(app, cancelled)}/qr.svg").status_code == 404


def test_no_code_for_a_card_payment(app, client, campaign_id):
    reference = pledge(app, campaign_id, 20_00)
    set_pledge(app, reference, method=PaymentMethod.CARD)
    assert client.get(f"/it/sostegno/{token_of(app, reference)}/qr.svg").status_code == 404


def test_no_code_after_the_campaigns_last_day(app, client, campaign_id, at):
    reference = pledge(app, campaign_id, 20_00)
    at(AFTER_THE_END)
    assert client.get(f"/it/sostegno/{token_of(app, reference)}/qr.svg").status_code == 404


# --- the page and the e-mail ------------------------------------------------------------------


def test_the_instructions_show_the_grouped_iban_the_code_and_values_to_copy(app, client, campaign_id):
    reference = pledge(app, campaign_id, 25_50)
    token = token_of(app, reference)
    page = client.get(f"/it/sostegno/{token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = words(page)
    assert f"IBAN {GROUPED}" in text
    assert f"Beneficiario {BENEFICIARY}" in text
    assert f"Causale (da copiare così com'è) {reference}" in text
    # What each copy button will copy: the IBAN without spaces, the amount without the euro sign.
    assert f'data-copy="{IBAN}"' in html
    assert 'data-copy="25,50"' in html
    assert 'data-copy-button="Copia la causale"' in html
    # Without JavaScript: no button at all, the values are plain text.
    assert "<button" not in html.split('id="instructions-title"')[1].split("</section>")[0]
    assert re.search(r'<p class="copy-status" role="status" data-copy-status hidden></p>', html)
    # The code, its text alternative and its caption.
    qr = re.search(r'<img src="([^"]+)" width="200" height="200" alt="([^"]+)">', html)
    assert qr and qr.group(1) == f"/it/sostegno/{token}/qr.svg"
    assert "beneficiario, IBAN, importo e causale" in qr.group(2)
    assert "Inquadra il codice con l'app della tua banca" in text
    assert '<script src="/static/js/copy.js" defer></script>' in html
    assert client.get(qr.group(1)).status_code == 200


class _Region(HTMLParser):
    """The markup inside the element with a given id (nested elements included)."""

    VOID = {"br", "img", "input", "meta", "link", "hr"}

    def __init__(self, element_id: str):
        super().__init__(convert_charrefs=True)
        self.element_id, self.depth, self.parts = element_id, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.parts.append(self.get_starttag_text())
            self.depth += tag not in self.VOID
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
            if self.depth:
                self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def inside(html: str, element_id: str) -> str:
    region = _Region(element_id)
    region.feed(html)
    return "".join(region.parts)


def test_screen_readers_are_told_the_payments_state_not_the_instructions(app, client, campaign_id):
    """The polite live region holds the state htmx would refresh; the IBAN, its copy buttons and
    their own status line are outside it, so copying or reading them announces no payment news."""
    reference = pledge(app, campaign_id, 25_50)
    html = client.get(f"/it/sostegno/{token_of(app, reference)}").get_data(as_text=True)
    assert '<div id="pledge-live" aria-live="polite">' in html
    live = inside(html, "pledge-live")
    assert 'id="pledge-progress"' in live and "In attesa del pagamento" in unescape(live)
    assert "data-copy" not in live and "instructions-title" not in live and "qr.svg" not in live
    assert html.index('id="instructions-title"') > html.index('id="pledge-live"')
    assert f'data-copy="{IBAN}"' in html  # the instructions are still on the page


def test_the_instructions_in_english(app, client, campaign_id):
    reference = pledge(app, campaign_id, 1_234_50, lang="en")
    html = client.get(f"/en/sostegno/{token_of(app, reference)}").get_data(as_text=True)
    assert 'data-copy-label="Copy"' in html
    assert 'data-copy="1,234.50"' in html
    assert 'data-copied="IBAN copied"' in html
    assert "Scan the code with your banking app" in unescape(html)


def test_no_code_on_the_page_of_a_paid_pledge(app, client, campaign_id):
    reference = pledge(app, campaign_id, 20_00)
    confirm(app, reference, 20_00)
    html = client.get(f"/it/sostegno/{token_of(app, reference)}").get_data(as_text=True)
    assert "qr.svg" not in html and "data-copy" not in html


def test_the_instructions_mail_groups_the_iban_too(app, campaign_id):
    pledge(app, campaign_id, 20_00, email="anna@example.org")
    ((_, _, body),) = mails(app, "anna@example.org")
    assert f"IBAN: {GROUPED}" in body


def test_the_instructions_are_valid_html(app, client, campaign_id, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "PLEDGE_BIC", "BPMOIT22XXX")
    files = []
    for lang in ("it", "en"):
        reference = pledge(app, campaign_id, 20_00, email=f"{lang}@example.org", lang=lang)
        response = client.get(f"/{lang}/sostegno/{token_of(app, reference)}")
        assert response.status_code == 200
        target = tmp_path / f"status-{lang}.html"
        target.write_bytes(response.data)
        files.append(str(target))
    assert vnu_errors(files) == []
