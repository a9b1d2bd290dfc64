"""Demo organisations and applications for `make run` (README): clearly fictional, never in production."""

from __future__ import annotations

import io
from datetime import date, datetime

from pypdf import PdfWriter

from portal.clock import ROME
from portal.domain.application import BudgetLine
from portal.models import Edition, Role
from portal.services.accounts import accounts
from portal.services.applications import applications, attachments, organisations

DEMO_PASSWORD = "demo-applicant-2020"
DRAFTED = datetime(2020, 5, 28, 18, 30, tzinfo=ROME)
SUBMITTED = datetime(2020, 5, 30, 11, 5, tzinfo=ROME)

DEMO_ORGANISATIONS = [
    {
        "email": "giambellino@demo.example",
        "person": "Marta Esposito (demo)",
        "profile": organisations.Profile(
            name="Associazione Esempio Giambellino (demo)",
            legal_form="associazione",
            codice_fiscale="97123450153",
            address="Via dell'Esempio 1",
            nil_id=50,
            contact_name="Marta Esposito",
            contact_phone="02 0000001",
        ),
        "title": "Cortili aperti (demo)",
        "submitted": True,
    },
    {
        "email": "corvetto@demo.example",
        "person": "Luca Bianchi (demo)",
        "profile": organisations.Profile(
            name="Fondazione Esempio Corvetto (demo)",
            legal_form="fondazione",
            codice_fiscale="97234560155",
            address="Piazza dell'Esempio 2",
            nil_id=36,
            contact_name="Luca Bianchi",
            contact_phone="02 0000002",
        ),
        "title": "Piazza che legge (demo)",
        "submitted": False,
    },
    {
        "email": "quarto-oggiaro@demo.example",
        "person": "Sara Colombo (demo)",
        "profile": None,  # signed up, organisation still to describe
        "title": None,
        "submitted": False,
    },
]


def _demo_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": "Statuto (documento dimostrativo)"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _fill(application, title: str, nil_id: int, complete: bool) -> None:
    project = {
        "title": title,
        "summary": "Progetto dimostrativo: non è una domanda vera.",
        "description": "Testo dimostrativo che descrive le attività, le persone coinvolte e i risultati attesi.",
        "theme": "inclusione",
        "nil_id": nil_id,
        "why_here": "Testo dimostrativo sui bisogni del quartiere.",
    }
    applications.save_project(application, project, DRAFTED)
    applications.save_timeline(application, date(2021, 1, 1), date(2021, 12, 31), DRAFTED)
    if not complete:
        return
    lines = [
        BudgetLine("Educatori e animatori", "personale", 1_200_000),
        BudgetLine("Arredi e attrezzature", "attrezzature", 600_000),
        BudgetLine("Comunicazione della campagna", "comunicazione", 200_000),
    ]
    applications.save_budget(application, lines, DRAFTED)
    rewards = [
        applications.RewardDraft("Grazie di quartiere", 1_000, "Il tuo nome sulla bacheca del progetto", None),
        applications.RewardDraft("Laboratorio per due", 5_000, "Un laboratorio per te e un'altra persona", 40),
    ]
    applications.save_campaign(application, rewards, "Social, volantini, una festa di quartiere.", "Tre soci.", DRAFTED)
    attachments.add(application, "statuto-demo.pdf", _demo_pdf(), DRAFTED)


def seed_demo_applications(edition: Edition) -> int:
    """Three demo applicants: one submitted application, one draft, one account without a profile.
    Running it twice changes nothing."""
    created = 0
    for demo in DEMO_ORGANISATIONS:
        if accounts.user_by_email(demo["email"]) is not None:
            continue
        user = accounts.create_confirmed_user(demo["email"], demo["person"], DEMO_PASSWORD, Role.APPLICANT, DRAFTED)
        created += 1
        if demo["profile"] is None:
            continue
        organisations.save_profile(user, demo["profile"], edition.criteria.eligible_legal_forms, DRAFTED)
        application = applications.start(user, edition, DRAFTED)
        _fill(application, demo["title"], demo["profile"].nil_id, complete=demo["submitted"])
        if demo["submitted"]:
            applications.submit(application.id, SUBMITTED, declarations_accepted=True)
    return created
