"""Projects for tests: an organisation applied, and its submitted application became a campaign."""

from __future__ import annotations

from datetime import datetime

from portal.clock import ROME
from portal.domain.application import ApplicationStatus
from portal.extensions import db
from portal.models import Application, Campaign
from portal.services.accounts import accounts
from portal.services.applications import applications
from tests.applicants import draft, make_applicant
from tests.campaigns import make_campaign
from tests.panel import SUBMITTED_AT

# When a succeeded campaign got the Comune's grant: after its threshold, before the 2020 campaigns ended.
GRANT_COMMITTED_AT = datetime(2020, 12, 1, 12, 0, tzinfo=ROME)


def applied_campaign(
    app,
    email: str,
    number: int = 0,
    *,
    title: str | None = None,
    selected: bool = False,
    succeeded: bool = False,
    owned: bool = False,
    **campaign,
) -> tuple[int, int]:
    """`email`'s organisation (test organisation `number`) submitted a complete application (timeline
    1 January – 31 December 2021) that became a campaign: both called `title` (Lab Barona unless
    given), the campaign made by `make_campaign` with the other keywords. The application is marked
    selected when `selected`; when `succeeded` the citizens reached the target and the Comune's grant
    (the reserve) was committed at GRANT_COMMITTED_AT; when `owned` the campaign also names the
    organisation as its owner (`Campaign.organisation_id`, which receipts, coaching and spending
    read). Returns (application_id, campaign_id)."""
    make_applicant(app, email, number)
    named = {} if title is None else {"title": title}
    application_id = draft(app, email, **named)
    with app.app_context():
        applications.submit(application_id, SUBMITTED_AT, declarations_accepted=True)
    campaign_id = make_campaign(app, **named, **campaign)
    with app.app_context():
        row = db.session.get(Campaign, campaign_id)
        row.application_id = application_id
        if owned:
            row.organisation_id = accounts.user_by_email(email).organisation_id
        if selected:
            db.session.get(Application, application_id).status = ApplicationStatus.SELECTED
        if succeeded:
            row.confirmed_cents = row.target_cents
            row.grant_cents = row.reserved_cents
            row.grant_committed_at = GRANT_COMMITTED_AT
        db.session.commit()
    return application_id, campaign_id
