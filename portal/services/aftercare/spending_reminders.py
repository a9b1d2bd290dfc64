"""Reminders of the final spending report (issue 19, item 2), for `flask remind-reports`: the
organisation of each succeeded campaign is mailed 14 days before its final report's due day and on
it (`portal.domain.aftercare.reminder_due`), once each, remembered by the audit log's entries (no
schema of its own); none once a final report is waiting for review or approved
(`spending.reporting_closed`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal.clock import to_rome
from portal.domain.aftercare import Reminder, final_report_due, reminder_due
from portal.domain.campaign import CampaignState
from portal.extensions import db
from portal.models import Application, AuditEntry, Campaign, Edition
from portal.services import audit
from portal.services.aftercare import spending_mail
from portal.services.aftercare.spending import reporting_closed
from portal.services.campaigns.locking import locked_campaign
from portal.services.transaction import transactional


@dataclass(frozen=True)
class _Portal:
    """The audit log's actor for what the portal does by itself (`flask remind-reports`)."""

    id: None = None
    email: str = "flask remind-reports"


@transactional
def remind_reports(now: datetime) -> int:
    """Mail each succeeded campaign's organisation whose final report is due soon (14 days before)
    or due (from the due day), once each: a reminder sent is an entry of the audit log, looked up
    under the campaign's row lock, so a second run (even one at the same moment) sends nothing
    twice. No reminder once a final report is waiting for review or approved."""
    today = to_rome(now).date()
    rows = db.session.execute(
        sa.select(Campaign.id, Application.end_date, Edition.final_report_days)
        .join(Application, Application.id == Campaign.application_id)
        .join(Edition, Edition.id == Application.edition_id)
        .where(Campaign.in_state(CampaignState.SUCCEEDED, now), Application.end_date.is_not(None))
        .order_by(Campaign.id)
    ).all()
    sent = 0
    for campaign_id, end_date, days in rows:
        due_on = final_report_due(end_date, days)
        kind = reminder_due(due_on, today)
        if kind is None:
            continue
        campaign = locked_campaign(campaign_id)
        if reporting_closed(campaign_id) or _reminded(campaign_id, kind):
            continue
        audit.record(_Portal(), kind.action, "campaign", campaign_id, now, label=campaign.title)  # type: ignore[arg-type]
        spending_mail.queue_reminder(campaign, kind is Reminder.DUE, due_on, now)
        sent += 1
    return sent


def _reminded(campaign_id: int, kind: Reminder) -> bool:
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists().where(
                    AuditEntry.action == kind.action,
                    AuditEntry.subject_type == "campaign",
                    AuditEntry.subject_id == campaign_id,
                )
            )
        )
    )
