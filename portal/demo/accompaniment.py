"""The demo of the accompaniment (issue 18), for `flask seed-demo` (development only).

- The coach account, `coach@comune.milano.example`, is one of the demo back-office accounts
  (`portal.demo.seed.DEMO_COACH`, second factor set up, `flask demo-code coach`).
- A demo organisation, `quartiere@demo.example` (password of the demo applicants), whose selected
  project "Cortili che curano (demo)" became a campaign through the portal's own services (found
  admissible, selected, launched by the demo staff account) and is NOT published: its team prepares
  it with the coach assigned to it. Its draft is half filled on purpose — a short story, no cover,
  one reward, two people in the team, the first supporters and the plan of updates written — so its
  readiness score (25) is below the edition's minimum and visibly rises as the team completes it.
- The 2020 edition requires a readiness score of 60 before publication (unless staff set another).
- The coach holds two office hours, on 19 and 26 November 2020 (the November clock's future).
- Staff feature one live campaign of 2020, so on the November clock it leads the home page and the
  gallery.

Idempotent: each part is made only when missing. Nothing reaches an outbox (`campaigns.no_email`).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from portal.clock import ROME
from portal.demo.applications import DEMO_PASSWORD, _demo_pdf
from portal.demo.campaign_owner import _staff
from portal.demo.campaigns import no_email
from portal.demo.seed import DEMO_COACH, seed_demo_accounts
from portal.domain.application import BudgetLine
from portal.extensions import db
from portal.models import Application, Campaign, Edition, Event, EventKind, Role, User, Venue
from portal.services.accounts import accounts
from portal.services.applications import applications, attachments, organisations, review
from portal.services.campaigns import coaching, featuring, preparation
from portal.services.courses.office_hours import add_office_hour
from portal.services.evaluation import selection
from portal.services.transaction import transactional

READINESS_MINIMUM = 60
DEMO_TEAM = {
    "email": "quartiere@demo.example",
    "person": "Chiara Rinaldi (demo)",
    "profile": organisations.Profile(
        name="Associazione Esempio Quartiere (demo)",
        legal_form="associazione",
        codice_fiscale="97345670158",
        address="Via dell'Esempio 3",
        nil_id=76,  # Quarto Oggiaro
        contact_name="Chiara Rinaldi",
        contact_phone="02 0000003",
    ),
}
TITLE = "Cortili che curano (demo)"
# Made up for the demo, like every date of the other demo applications.
DRAFTED = datetime(2020, 5, 29, 16, 0, tzinfo=ROME)
SUBMITTED = datetime(2020, 5, 31, 12, 0, tzinfo=ROME)
ADMISSIBLE = datetime(2020, 9, 3, 10, 0, tzinfo=ROME)
SELECTED = datetime(2020, 10, 14, 16, 30, tzinfo=ROME)
LAUNCHED = datetime(2020, 10, 20, 11, 0, tzinfo=ROME)
PREPARED = datetime(2020, 11, 2, 18, 0, tzinfo=ROME)
STARTS_ON = date(2021, 1, 28)  # the second round of 2020 campaigns
BUDGET = [
    BudgetLine("Educatori e volontari nei cortili (demo)", "personale", 9_000_00),
    BudgetLine("Attrezzi e piante (demo)", "attrezzature", 4_000_00),
    BudgetLine("Comunicazione della campagna (demo)", "comunicazione", 2_000_00),
]
REWARDS = [applications.RewardDraft("Grazie dal cortile", 1_000, "Il tuo nome sul cartello del cortile (demo)", None)]
STORY = "Testo dimostrativo: i cortili delle case popolari di Quarto Oggiaro diventano orti e luoghi d'incontro."
TEAM = "Chiara Rinaldi — coordinamento\nMarco Sala — comunicazione"
FIRST_SUPPORTERS = "\n".join(f"Vicina di cortile {n} (demo)" for n in range(1, 21))
UPDATES_PLAN = (
    "Primo giorno: i primi sostenitori\nMetà campagna: la festa nel cortile\nUltima settimana: l'appello finale"
)
# The coach's office hours: online, in the November clock's future.
OFFICE_HOURS = [
    (datetime(2020, 11, 19, 17, 0, tzinfo=ROME), datetime(2020, 11, 19, 18, 0, tzinfo=ROME)),
    (datetime(2020, 11, 26, 17, 0, tzinfo=ROME), datetime(2020, 11, 26, 18, 0, tzinfo=ROME)),
]
OFFICE_HOUR_URL = "https://zoom.example/j/ricevimento-demo"  # demo link
OFFICE_HOUR_SEATS = 2
FEATURED_SLUG = "quel-verde-in-fondo-al-tunnel"
FEATURED_AT = datetime(2020, 11, 2, 9, 0, tzinfo=ROME)


def seed_demo_accompaniment(edition: Edition) -> dict[str, int]:
    """The coach, the team's campaign being prepared, the office hours, the readiness minimum and
    a featured campaign: how many of each were created (0 when already there)."""
    coach = _coach()
    with no_email():
        counts = {
            "minimum": _readiness_minimum(edition),
            "campaigns": _team_campaign(edition, coach),
            "office_hours": _office_hours(coach),
            "featured": _featured(),
        }
    return counts


def _coach() -> User:
    coach = accounts.user_by_email(DEMO_COACH["email"])
    if coach is None:
        seed_demo_accounts(LAUNCHED)
        coach = accounts.user_by_email(DEMO_COACH["email"])
    return coach


@transactional
def _readiness_minimum(edition: Edition) -> int:
    if edition.readiness_minimum is not None:
        return 0  # staff set one: kept
    edition.readiness_minimum = READINESS_MINIMUM
    return 1


def _team_campaign(edition: Edition, coach: User) -> int:
    """The organisation's account, its selected application and the campaign it became (one
    transaction per action, as staff and the team would have done it)."""
    if accounts.user_by_email(DEMO_TEAM["email"]) is not None:
        return 0
    user = accounts.create_confirmed_user(
        DEMO_TEAM["email"], DEMO_TEAM["person"], DEMO_PASSWORD, Role.APPLICANT, DRAFTED
    )
    organisations.save_profile(user, DEMO_TEAM["profile"], edition.criteria.eligible_legal_forms, DRAFTED)
    application = _application(user, edition)
    staff = _staff(ADMISSIBLE)
    review.record_admissibility(application.id, True, None, staff, ADMISSIBLE)
    selection.select(application.id, staff, SELECTED)
    campaign = selection.launch(application.id, STARTS_ON, staff, LAUNCHED)
    coaching.assign_coach(campaign.id, coach.id, staff, LAUNCHED)
    preparation.save_team(campaign.id, TEAM, user, PREPARED)
    preparation.save_first_supporters(campaign.id, FIRST_SUPPORTERS, user, PREPARED)
    preparation.save_updates_plan(campaign.id, UPDATES_PLAN, user, PREPARED)
    return 1


@transactional
def _application(user: User, edition: Edition) -> Application:
    application = applications.start(user, edition, DRAFTED)
    project = {
        "title": TITLE,
        "summary": "Progetto dimostrativo: i cortili di Quarto Oggiaro coltivati insieme.",
        "description": STORY,
        "theme": "ambiente",
        "nil_id": DEMO_TEAM["profile"].nil_id,
        "why_here": "Testo dimostrativo: nei cortili del quartiere mancano luoghi d'incontro.",
    }
    applications.save_project(application, project, DRAFTED)
    applications.save_timeline(application, date(2021, 3, 1), date(2021, 12, 31), DRAFTED)
    applications.save_budget(application, BUDGET, DRAFTED)
    applications.save_campaign(
        application, REWARDS, "Testo dimostrativo: il gruppo del cortile e la parrocchia.", "Due soci.", DRAFTED
    )
    attachments.add(application, "statuto-demo.pdf", _demo_pdf(), DRAFTED)
    applications.submit(application.id, SUBMITTED, declarations_accepted=True)
    return application


def _office_hours(coach: User) -> int:
    held = db.session.scalar(
        sa.select(sa.func.count()).select_from(Event).filter_by(kind=EventKind.OFFICE_HOUR, coach_id=coach.id)
    )
    if held:
        return 0
    for starts_at, ends_at in OFFICE_HOURS:
        add_office_hour(coach, starts_at, ends_at, OFFICE_HOUR_SEATS, Venue.ZOOM, OFFICE_HOUR_URL, coach, LAUNCHED)
    return len(OFFICE_HOURS)


def _featured() -> int:
    campaign = db.session.scalars(sa.select(Campaign).filter_by(slug=FEATURED_SLUG)).one_or_none()
    if campaign is None or campaign.featured_at is not None:
        return 0
    featuring.feature(campaign, _staff(FEATURED_AT), FEATURED_AT)
    return 1
