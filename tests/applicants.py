"""Applicants for tests: an account with its organisation, and applications filled through the services."""

from __future__ import annotations

import io
from datetime import date, datetime

from pypdf import PdfWriter
from stdnum import luhn

from portal.clock import ROME
from portal.domain.application import BudgetLine
from portal.extensions import db
from portal.models import Application, Role
from portal.services.accounts import accounts
from portal.services.applications import applications, attachments, organisations
from portal.services.editions.editions import edition_or_404
from tests.accounts import make_user

JULY_10 = datetime(2020, 7, 10, 10, 0, tzinfo=ROME)


def codice_fiscale(number: int) -> str:
    """A valid 11-digit codice fiscale (Luhn check digit) for test organisation `number`."""
    base = f"97{number:08d}"
    return base + luhn.calc_check_digit(base)


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_applicant(app, email: str, number: int = 0, *, with_organisation: bool = True) -> None:
    make_user(app, email, Role.APPLICANT, enrolled=False)
    if not with_organisation:
        return
    with app.app_context():
        user = accounts.user_by_email(email)
        profile = organisations.Profile(
            name=f"Associazione Prova {number}",
            legal_form="associazione",
            codice_fiscale=codice_fiscale(number),
            address="Via Ettore Ponti 15",
            nil_id=46,
            contact_name="Anna Rossi",
            contact_phone="02 1234567",
        )
        organisations.save_profile(user, profile, frozenset(), JULY_10)


def draft(app, email: str, *, complete: bool = True, title: str = "Lab Barona") -> int:
    """A draft application of the applicant's organisation; every section filled when `complete`."""
    with app.app_context():
        user = accounts.user_by_email(email)
        application = applications.start(user, edition_or_404(2020), JULY_10)
        project = {
            "title": title,
            "summary": "Un laboratorio di quartiere",
            "description": "Attività per ragazzi e famiglie",
            "theme": "inclusione",
            "nil_id": 46,
            "why_here": "Mancano spazi",
        }
        applications.save_project(application, project, JULY_10)
        if complete:
            applications.save_timeline(application, date(2021, 1, 1), date(2021, 12, 31), JULY_10)
            lines = [BudgetLine("Educatori", "personale", 1_500_000), BudgetLine("Arredi", "attrezzature", 500_000)]
            applications.save_budget(application, lines, JULY_10)
            reward = applications.RewardDraft("Grazie", 1_000, "Una cartolina", None)
            applications.save_campaign(application, [reward], "Social e volantini", "Tre soci", JULY_10)
            attachments.add(application, "statuto.pdf", pdf_bytes(), JULY_10)
        return application.id


def application(app, application_id: int) -> Application:
    with app.app_context():
        found = db.session.get(Application, application_id)
        db.session.expunge(found)
        return found
