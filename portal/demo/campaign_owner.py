"""The demo organisation that runs a campaign from its own area (`barona@demo.example`), for
`flask seed-demo` (development only).

The demo's campaigns come from the sources (`portal.demo.campaigns`) without an application, so
without this no demo account could upload its campaign's photos or post an update. Here the
account of Lab Barona's organisation gets the application that became that campaign:

- the account acts for the campaign's organisation, the row `campaigns._demo_organisations` made
  (La Cordata; its codice fiscale is made up, with a valid check digit), so the campaign's page,
  its receipts and the published ranking keep the same name and figures;
- the application repeats the campaign's public facts (title, summary, story, theme, NIL, and
  its real cost of 20.000 € as the budget's total, hence the Comune's 12.000 € reserve); the rest
  (budget lines, timeline, rewards, plan, team, the attachment, every date of its history) is
  made up for the demo and says so;
- it goes the portal's own way: submitted before the demo's first day (31 May 2020, so on the
  June clock it is sent and its receipt exists), found admissible and selected by the demo staff
  account after the deadline, then linked to the campaign (`Campaign.application_id`), which
  stays as the sources give it — its `demo_estimates` untouched.

On the June clock the campaign is being prepared (public from 30 October 2020); on the November
clock it is live. Idempotent: an existing account is left as it is, and a campaign already linked
to an application is never relinked. Nothing reaches an outbox (`campaigns.no_email`, around it).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from portal.clock import ROME
from portal.demo.applications import DEMO_PASSWORD, _demo_pdf
from portal.demo.seed import DEMO_STAFF, seed_demo_accounts
from portal.domain.application import BudgetLine
from portal.extensions import db
from portal.models import Campaign, Edition, Organisation, Role, User
from portal.services.accounts import accounts
from portal.services.applications import applications, attachments, review
from portal.services.evaluation import selection
from portal.services.transaction import transactional

CAMPAIGN_SLUG = "lab-barona"
DEMO_CAMPAIGN_OWNER = {"email": "barona@demo.example", "person": "Elena Ferri (demo)"}
# Made up for the demo, like every date of the other demo applications.
DRAFTED = datetime(2020, 5, 27, 17, 0, tzinfo=ROME)
SUBMITTED = datetime(2020, 5, 31, 18, 40, tzinfo=ROME)  # the day before the demo's clock
ADMISSIBLE = datetime(2020, 9, 2, 11, 0, tzinfo=ROME)  # after the deadline of 31 July
SELECTED = datetime(2020, 10, 14, 16, 0, tzinfo=ROME)  # the day before the demo's ranking

# The budget's total is the campaign's real cost; how it splits is made up.
BUDGET = [
    BudgetLine("Banchi da lavoro e attrezzi per le riparazioni (demo)", "attrezzature", 9_000_00),
    BudgetLine("Riparatori esperti e formazione dei volontari (demo)", "personale", 8_000_00),
    BudgetLine("Comunicazione della campagna (demo)", "comunicazione", 3_000_00),
]
REWARDS = [
    applications.RewardDraft("Grazie dal laboratorio", 1_000, "Il tuo nome sulla parete del Lab (demo)", None),
    applications.RewardDraft("Una riparazione per te", 3_000, "Ripariamo insieme un oggetto di casa tua (demo)", 60),
]


def _staff(now: datetime) -> User:
    """The demo staff account, who found the application admissible and selected it."""
    staff = accounts.user_by_email(DEMO_STAFF["email"])
    if staff is None:
        seed_demo_accounts(now)
        staff = accounts.user_by_email(DEMO_STAFF["email"])
    return staff


@transactional
def seed_campaign_owner(edition: Edition) -> int:
    """The account of Lab Barona's organisation and its selected application, which became the
    campaign: 1 when created, 0 when already there (or when the campaign is missing or staff
    linked it to another application)."""
    campaign = db.session.scalars(sa.select(Campaign).filter_by(slug=CAMPAIGN_SLUG)).one_or_none()
    if accounts.user_by_email(DEMO_CAMPAIGN_OWNER["email"]) is not None or campaign is None:
        return 0
    if campaign.application_id is not None or campaign.organisation_id is None:
        return 0
    organisation = db.session.get(Organisation, campaign.organisation_id)
    # La Cordata is a social cooperative, by law an impresa sociale: one of the call's forms, so
    # the organisation's profile saves as it is (`_demo_organisation` writes "altro" for the
    # campaigns' organisations, whose form the portal does not know).
    organisation.legal_form = "impresa_sociale"
    user = accounts.create_confirmed_user(
        DEMO_CAMPAIGN_OWNER["email"], DEMO_CAMPAIGN_OWNER["person"], DEMO_PASSWORD, Role.APPLICANT, DRAFTED
    )
    user.organisation_id = organisation.id
    application = applications.start(user, edition, DRAFTED)
    _fill(application, campaign)
    applications.submit(application.id, SUBMITTED, declarations_accepted=True)
    staff = _staff(ADMISSIBLE)
    review.record_admissibility(application.id, True, None, staff, ADMISSIBLE)
    selection.select(application.id, staff, SELECTED)
    campaign.application_id = application.id  # what `selection.launch` would have made of it
    return 1


def _fill(application, campaign: Campaign) -> None:
    """Every section, from the campaign's public facts and made-up details."""
    project = {
        "title": campaign.title,
        "summary": campaign.summary,
        "description": campaign.story or campaign.summary,
        "theme": campaign.theme,
        "nil_id": campaign.nil_id,
        "why_here": "Testo dimostrativo: perché un laboratorio di riparazione serve alla Barona.",
    }
    applications.save_project(application, project, DRAFTED)
    applications.save_timeline(application, date(2020, 11, 1), date(2021, 10, 31), DRAFTED)
    applications.save_budget(application, BUDGET, DRAFTED)
    applications.save_campaign(
        application,
        REWARDS,
        "Testo dimostrativo: i social del laboratorio, la rete Milano2035, una giornata di riparazioni in piazza.",
        "Testo dimostrativo: due educatori e i volontari riparatori.",
        DRAFTED,
    )
    attachments.add(application, "statuto-demo.pdf", _demo_pdf(), DRAFTED)
