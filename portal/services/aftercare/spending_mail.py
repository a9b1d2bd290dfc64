"""Who hears of a spending report, each in their own language: the campaign's team (the applicant
accounts of its organisation) when staff approve a report or send it back, and when the final report
is due soon or due."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.extensions import db
from portal.i18n import day
from portal.models import BudgetItem, Campaign, SpendingReport
from portal.services import mail
from portal.services.campaigns.coaching import team_of
from portal.urls import absolute_url

SUBJECTS = {
    "approved": _l("Rendiconto approvato: «%(title)s»"),
    "returned": _l("Rendiconto da correggere: «%(title)s»"),
    "before": _l("Il rendiconto finale di «%(title)s» è atteso entro il %(day)s"),
    "due": _l("Il rendiconto finale di «%(title)s» è da inviare"),
}


def _to_team(
    kind: str, template: str, campaign: Campaign, now: datetime, due_on: date | None = None, **context: object
) -> None:
    for person in team_of(campaign):
        mail.send(
            template,
            to=person.email,
            lang=person.lang,
            subject=SUBJECTS[kind],
            subject_args={"title": campaign.title, "day": LazyString(day, due_on) if due_on else ""},
            now=now,
            campaign=campaign,
            reader=person,
            spending_url=absolute_url(
                "applications.spending", lang=person.lang, application_id=campaign.application_id
            ),
            due_on=due_on,
            **context,
        )


def queue_reviewed(report: SpendingReport, campaign: Campaign, now: datetime) -> None:
    """The report approved, or sent back with staff's reason."""
    line = db.session.get(BudgetItem, report.budget_item_id)
    kind = "approved" if report.status.is_approved else "returned"
    _to_team(kind, "spending_reviewed", campaign, now, report=report, line=line)


def queue_reminder(campaign: Campaign, is_due: bool, due_on: date, now: datetime) -> None:
    """The final report due on `due_on`: soon (`is_due` False) or now."""
    _to_team("due" if is_due else "before", "spending_reminder", campaign, now, due_on=due_on, is_due=is_due)
