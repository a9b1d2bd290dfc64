"""Receipts for tests: an organisation with a fiscal status, a campaign of it that succeeded with
paid pledges, the receipt's PDF as text, the supporter's link."""

from __future__ import annotations

import io
import re
from datetime import date, datetime

from pypdf import PdfReader

from portal.clock import ROME
from portal.domain.tax_relief import FiscalStatus
from portal.extensions import db
from portal.models import Campaign, Organisation, Pledge
from tests.accounts import csrf_from
from tests.applicants import codice_fiscale
from tests.campaigns import close, confirm, make_campaign, pledge

ANNA, BRUNO = "anna@example.org", "bruno@example.org"
CHECKED_AT = datetime(2020, 9, 1, 10, 0, tzinfo=ROME)
DONOR_CF = "RSSNNA80A41F205X"


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    return plain(" ".join(page.extract_text() for page in reader.pages))


def organisation(app, number: int, status: FiscalStatus | None, since: date | None, *, checked: bool = True) -> int:
    with app.app_context():
        row = Organisation(
            name=f"Associazione Ricevute {number}",
            legal_form="associazione",
            codice_fiscale=codice_fiscale(500 + number),
            address="Via Ettore Ponti 15",
            nil_id=46,
            municipio=6,
            contact_name="Anna Rossi",
            contact_phone="02 1234567",
            fiscal_status=status,
            fiscal_status_since=since,
            fiscal_status_checked_at=CHECKED_AT if checked and status else None,
            created_at=CHECKED_AT,
            updated_at=CHECKED_AT,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def funded(app, organisation_id: int | None, *, title: str = "Lab Barona", close_it: bool = True) -> dict[str, str]:
    """A campaign of the organisation that reached its target: Anna (with her codice fiscale, in
    Italian) and Bruno (in English) paid; Carla's pledge never was. Their references by name."""
    campaign_id = make_campaign(app, title)
    with app.app_context():
        db.session.get(Campaign, campaign_id).organisation_id = organisation_id
        db.session.commit()
    anna = pledge(app, campaign_id, 750_000, email=ANNA, name="Anna Rossi")
    bruno = pledge(app, campaign_id, 50_050, email=BRUNO, name=None, lang="en")
    carla = pledge(app, campaign_id, 2_000, email="carla@example.org")
    with app.app_context():
        db.session.scalars(db.select(Pledge).filter_by(reference=anna)).one().codice_fiscale = DONOR_CF
        db.session.commit()
    confirm(app, anna, 750_000)
    confirm(app, bruno, 50_050)
    if close_it:
        close(app)
    return {"anna": anna, "bruno": bruno, "carla": carla, "campaign_id": str(campaign_id)}


def token_of(app, reference: str) -> str:
    with app.app_context():
        return db.session.scalars(db.select(Pledge.token).filter_by(reference=reference)).one()


def receipt(client, app, reference: str, lang: str = "it"):
    return client.get(f"/{lang}/sostegno/{token_of(app, reference)}/ricevuta.pdf")


def ask_link(client, email: str, lang: str = "it"):
    token = csrf_from(client.get(f"/{lang}/i-miei-sostegni").get_data(as_text=True))
    return client.post(f"/{lang}/i-miei-sostegni", data={"csrf_token": token, "email": email})
