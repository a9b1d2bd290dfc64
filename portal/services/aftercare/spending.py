"""Spending reports (issue 19, item 2): what a funded project spent, against the budget lines of its
application, each expense with its receipt.

The organisation of a campaign that has succeeded reports an expense on one of its application's
budget lines with a PDF receipt; the receipt goes through the attachments' checks
(`services/uploads.py` `store`: a real PDF within the size limit, nothing active in it) and is kept
under a random key; only staff ever download it. Staff approve a report or send it back with a
reason; every step is in the audit log and the organisation is told by e-mail. Only approved amounts
count in the public totals.

A line may be overspent: reported (submitted and approved) above its budgeted amount is shown as a
warning to the organisation and to staff, not refused. Money moves between the lines of a real
project, and whether it is acceptable is staff's judgement with the receipts in front of them.

The final report closes the reporting: once one is waiting for review or approved, no new report is
taken (sent back, the organisation may send it again). Its approval tells the grant's instalments
(`services/aftercare/instalments.py` `final_report_approved`): the balance becomes due.

A final report is due `Edition.final_report_days` (60 when unset) after the application's end date;
`spending_reminders.remind_reports` mails the organisation before and on that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from portal.clock import to_rome
from portal.domain import DomainError
from portal.domain.aftercare import ReportStatus, final_report_due
from portal.extensions import db
from portal.models import Application, BudgetItem, Campaign, Edition, Role, SpendingReport, User
from portal.services import audit, data_version, uploads
from portal.services.aftercare import instalments, spending_mail
from portal.services.campaigns.locking import locked_campaign
from portal.services.transaction import on_rollback, transactional

DESCRIPTION_MAX = 300  # SpendingReport.description
REASON_MAX = 500  # SpendingReport.reason


class SpendingError(StrEnum):
    NOT_FUNDED = "campaign_not_succeeded"  # reports only once the campaign has succeeded
    NOT_YOURS = "not_your_campaign"
    NOT_A_LINE = "not_a_budget_line"  # the line is not one of the application's
    AMOUNT = "amount_not_positive"
    DESCRIPTION = "description_missing"
    FUTURE = "spent_in_the_future"
    CLOSED = "final_report_sent"  # a final report waits for review or is approved
    NOT_PENDING = "report_not_pending"  # reviewed already (by someone else, a moment ago)
    REASON = "reason_missing"
    STAFF_ONLY = "staff_only"


# What each status is called on the organisation's and staff's pages (both ask here).
STATUS_LABELS = {
    ReportStatus.SUBMITTED: _l("Da controllare"),
    ReportStatus.APPROVED: _l("Approvato"),
    ReportStatus.RETURNED: _l("Rimandato indietro"),
}


# --- reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineTotals:
    """A budget line of the application with what was reported against it."""

    budget_item_id: int
    description: str
    category: str
    budgeted_cents: int
    reported_cents: int  # submitted and approved: what the organisation says it spent
    approved_cents: int

    @property
    def over_budget(self) -> bool:
        """More reported than budgeted: a warning, never a refusal (see the module's docstring)."""
        return self.reported_cents > self.budgeted_cents


_COUNTED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def lines_of(campaign: Campaign) -> list[LineTotals]:
    """The application's budget lines, by position, with the amounts reported and approved (one query)."""
    if campaign.application_id is None:
        return []
    counted = SpendingReport.status.in_(_COUNTED)
    approved = SpendingReport.status == ReportStatus.APPROVED
    rows = db.session.execute(
        sa.select(
            BudgetItem.id,
            BudgetItem.description,
            BudgetItem.category,
            BudgetItem.amount_cents,
            sa.func.coalesce(sa.func.sum(sa.case((counted, SpendingReport.amount_cents), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((approved, SpendingReport.amount_cents), else_=0)), 0),
        )
        .outerjoin(
            SpendingReport,
            sa.and_(SpendingReport.budget_item_id == BudgetItem.id, SpendingReport.campaign_id == campaign.id),
        )
        .where(BudgetItem.application_id == campaign.application_id)
        .group_by(BudgetItem.id, BudgetItem.description, BudgetItem.category, BudgetItem.amount_cents)
        .order_by(BudgetItem.position, BudgetItem.id)
    )
    return [LineTotals(*(row[:4]), int(row[4]), int(row[5])) for row in rows]


def reports_of(campaign_id: int) -> list[SpendingReport]:
    """The campaign's reports, the latest first."""
    return list(
        db.session.scalars(
            sa.select(SpendingReport)
            .where(SpendingReport.campaign_id == campaign_id)
            .order_by(SpendingReport.submitted_at.desc(), SpendingReport.id.desc())
        )
    )


def approved_by_line(campaign_id: int) -> dict[int, int]:
    """{budget_item_id: approved cents} for the lines with an approved report."""
    rows = db.session.execute(
        sa.select(SpendingReport.budget_item_id, sa.func.sum(SpendingReport.amount_cents))
        .where(SpendingReport.campaign_id == campaign_id, SpendingReport.status == ReportStatus.APPROVED)
        .group_by(SpendingReport.budget_item_id)
    )
    return {item_id: int(cents) for item_id, cents in rows}


def approved_total(campaign_id: int) -> int:
    return sum(approved_by_line(campaign_id).values())


@dataclass(frozen=True)
class PublicLine:
    description: str
    budgeted_cents: int
    approved_cents: int


@dataclass(frozen=True)
class PublicTotals:
    """What anyone may read of a campaign's spending: approved amounts only, by budget line."""

    lines: tuple[PublicLine, ...]

    @property
    def approved_cents(self) -> int:
        return sum(line.approved_cents for line in self.lines)

    @property
    def budgeted_cents(self) -> int:
        return sum(line.budgeted_cents for line in self.lines)


def public_totals(campaign: Campaign) -> PublicTotals:
    """The public totals, read once per data version (`data_version.memo`): the campaign page pays
    for them only on the first visit after a change."""

    def compute() -> PublicTotals:
        return PublicTotals(
            tuple(PublicLine(line.description, line.budgeted_cents, line.approved_cents) for line in lines_of(campaign))
        )

    return data_version.memo(f"spending.public_totals:{campaign.id}", compute)


def final_report_due_on(campaign: Campaign) -> date | None:
    """When the campaign's final report is due, if its application has an end date."""
    if campaign.application_id is None:
        return None
    end_date, days = db.session.execute(
        sa.select(Application.end_date, Edition.final_report_days)
        .join(Edition, Edition.id == Application.edition_id)
        .where(Application.id == campaign.application_id)
    ).one()
    return None if end_date is None else final_report_due(end_date, days)


def closed_in_sql(campaign_id) -> sa.Exists:
    """A final report is waiting for review or approved, as a SQL condition: `campaign_id` a value
    or a column (`Campaign.id`, for every campaign of a query at once)."""
    return sa.exists().where(
        SpendingReport.campaign_id == campaign_id,
        SpendingReport.is_final.is_(True),
        SpendingReport.status.in_(_COUNTED),
    )


def reporting_closed(campaign_id: int) -> bool:
    """A final report is waiting for review or approved: no new report is taken."""
    return bool(db.session.scalar(sa.select(closed_in_sql(campaign_id))))


def refusal(campaign: Campaign, now: datetime) -> SpendingError | None:
    """Why the campaign takes no report now, if it does not (the page shows it instead of the form)."""
    if not campaign.state(now).has_succeeded:
        return SpendingError.NOT_FUNDED
    if reporting_closed(campaign.id):
        return SpendingError.CLOSED
    return None


def receipt_file(report_id: int, actor: User) -> tuple[Path, str] | None:
    """The stored receipt and the name to download it as: for staff only; None if there is none."""
    if actor.role is not Role.STAFF:
        raise DomainError(SpendingError.STAFF_ONLY)
    report = db.session.get(SpendingReport, report_id)
    if report is None:
        return None
    path = uploads.path_of(report.receipt_key)
    return (path, uploads.display_name(report.receipt_filename)) if path.is_file() else None


# --- the organisation reports ---------------------------------------------------------------------


@transactional
def submit_report(
    campaign_id: int,
    budget_item_id: int,
    amount_cents: int,
    description: str,
    spent_on: date,
    is_final: bool,
    filename: str | None,
    data: bytes,
    actor: User,
    now: datetime,
) -> SpendingReport:
    """A report of the campaign's organisation, with its receipt checked and stored (both or
    neither). Under the campaign's row lock, so two final reports never pass together."""
    campaign = locked_campaign(campaign_id)
    if actor.organisation_id is None or campaign.organisation_id != actor.organisation_id:
        raise DomainError(SpendingError.NOT_YOURS)
    problem = refusal(campaign, now)
    if problem is not None:
        raise DomainError(problem)
    item = db.session.get(BudgetItem, budget_item_id)
    if item is None or campaign.application_id is None or item.application_id != campaign.application_id:
        raise DomainError(SpendingError.NOT_A_LINE)
    if amount_cents <= 0:
        raise DomainError(SpendingError.AMOUNT)
    description = (description or "").strip()
    if not description:
        raise DomainError(SpendingError.DESCRIPTION)
    if spent_on > to_rome(now).date():
        raise DomainError(SpendingError.FUTURE)
    stored = uploads.store(data)  # the attachments' checks: a real PDF, within the limit, nothing active
    on_rollback(lambda: uploads.remove(stored.key))  # no file without its report
    report = SpendingReport(
        campaign_id=campaign.id,
        budget_item_id=item.id,
        amount_cents=amount_cents,
        description=description[:DESCRIPTION_MAX],
        spent_on=spent_on,
        is_final=is_final,
        receipt_filename=uploads.display_name(filename, fallback="ricevuta"),
        receipt_key=stored.key,
        receipt_size=stored.size,
        receipt_sha256=stored.sha256,
        status=ReportStatus.SUBMITTED,
        submitted_at=now,
        submitted_by_id=actor.id,
    )
    db.session.add(report)
    db.session.flush()
    audit.record(
        actor,
        "spending.submit",
        "spending_report",
        report.id,
        now,
        label=campaign.title,
        changes={
            "budget_line": [None, item.description],
            "amount_cents": [None, amount_cents],
            "final": [None, is_final],
        },
    )
    return report


# --- staff review ---------------------------------------------------------------------------------


def _pending(report_id: int, actor: User) -> SpendingReport:
    """The report, its row locked and read afresh; only a submitted one may be reviewed, by staff."""
    if actor.role is not Role.STAFF:
        raise DomainError(SpendingError.STAFF_ONLY)
    report = db.session.execute(
        sa.select(SpendingReport).filter_by(id=report_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if report is None:
        raise LookupError(report_id)
    if report.status is not ReportStatus.SUBMITTED:
        raise DomainError(SpendingError.NOT_PENDING)
    return report


@transactional
def approve(report_id: int, actor: User, now: datetime) -> SpendingReport:
    """Staff approve a submitted report: it counts in the public totals; a final one makes the
    grant's balance due. Audited; the organisation is told."""
    report = _pending(report_id, actor)
    report.status, report.reason = ReportStatus.APPROVED, None
    report.reviewed_at, report.reviewed_by_id = now, actor.id
    campaign = db.session.get(Campaign, report.campaign_id)
    audit.record(
        actor,
        "spending.approve",
        "spending_report",
        report.id,
        now,
        label=campaign.title,
        changes={"status": [ReportStatus.SUBMITTED.value, ReportStatus.APPROVED.value]},
    )
    if report.is_final:
        instalments.final_report_approved(campaign.id, now)
    spending_mail.queue_reviewed(report, campaign, now)
    return report


@transactional
def send_back(report_id: int, reason: str, actor: User, now: datetime) -> SpendingReport:
    """Staff send a submitted report back with the reason (required): it no longer counts; the
    organisation may send a corrected one. Audited; the organisation is told why."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(SpendingError.REASON)
    report = _pending(report_id, actor)
    report.status, report.reason = ReportStatus.RETURNED, reason[:REASON_MAX]
    report.reviewed_at, report.reviewed_by_id = now, actor.id
    campaign = db.session.get(Campaign, report.campaign_id)
    audit.record(
        actor,
        "spending.send_back",
        "spending_report",
        report.id,
        now,
        label=campaign.title,
        changes={
            "status": [ReportStatus.SUBMITTED.value, ReportStatus.RETURNED.value],
            "reason": [None, report.reason],
        },
    )
    spending_mail.queue_reviewed(report, campaign, now)
    return report
