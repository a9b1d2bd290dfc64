"""The demo after the campaign (issue 19), for `flask seed-demo` on a 2021 clock (`make run-2021`;
development only).

What happened after the demo's November moment is written only when the seed runs on a clock past
it, and each step only once the clock has passed its date, so the June and November clocks show
what they always showed (a fresh database; `make run-2021` keeps its own, `instance/demo-2021.db`):

- the first round's real campaigns (ClimBinG, Lab Barona, Ri-Porta Vittoria) reach their target
  before their last day, as every real 2020 campaign did (the sources: "all 19 reached the 40 %
  goal"), with the demo pledges of `DemoProject.raised_late_eur` — made up, like every demo pledge
  (fictional supporters "… (demo)", e-mails @demo.example), listed in the campaigns'
  `demo_estimates` already; then the closing run after round 1's end writes the grants' instalments;
- Lab Barona (`barona@demo.example`) after its campaign, every row through the services (they
  audit and validate), each step by its actor and dated before 1 March 2021: the milestones of its
  application's timeline (the start done), two more of its own (one in progress, one planned);
  three impact indicators with their targets, one value reported; the advance (the first
  instalment) recorded as paid by the demo staff on 20 January 2021; two spending reports with a
  small demo PDF receipt, one approved by staff, and the final one submitted on 24 February 2021
  and awaiting review: staff approving it makes the balance (the second instalment) due.

Made up for the demo: every title, amount, date, note and reference here; the milestones' and
reports' texts say "(demo)". Idempotent: each part is made only when missing (a milestone, report
or indicator the organisation changed since is left as it is). Nothing reaches an outbox
(`campaigns.no_email`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from portal.clock import ROME
from portal.demo.applications import _demo_pdf
from portal.demo.campaign_data import PROJECTS
from portal.demo.campaign_owner import CAMPAIGN_SLUG, DEMO_CAMPAIGN_OWNER, _staff
from portal.demo.campaigns import _add_pledges, no_email, planned_pledges
from portal.domain.aftercare import InstalmentCondition, MilestoneState
from portal.extensions import db
from portal.models import BudgetItem, Campaign, Edition, ImpactIndicator, Milestone, SpendingReport, User
from portal.services.accounts import accounts
from portal.services.aftercare import indicators, instalments, milestones, spending
from portal.services.campaigns import closing


def _rome(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ROME)


# Made up for the demo: when the late pledges came (after the November moment, 15 Nov 2020 12:00)
# and the closing run after round 1's last day (28 Dec 2020).
LATE_PLEDGES_FROM = _rome(2020, 11, 16)
CLOSING_AT = _rome(2020, 12, 29, 2, 0)

# Lab Barona after its campaign: every date made up, all before the 2021 clock (1 Mar 2021).
INDICATORS_AT = _rome(2021, 1, 8, 10, 0)
INDICATORS = (("people_reached", 600), ("events_held", 24), ("volunteers", 12))
PLANNED_AT = _rome(2021, 1, 8, 10, 30)  # the plan from the timeline; the start marked done
ADVANCE_PAID_AT = _rome(2021, 1, 20, 11, 0)
ADVANCE_REFERENCE = "Mandato 2021/0042 (demo)"
OWN_MILESTONES = (
    # title, due on, state, note, when added
    (
        "Banchi e attrezzi installati nel laboratorio (demo)",
        date(2021, 3, 15),
        MilestoneState.IN_PROGRESS,
        "Testo dimostrativo: i banchi sono arrivati, mancano gli attrezzi elettrici.",
        _rome(2021, 2, 1, 18, 0),
    ),
    (
        "Prima giornata di riparazioni in piazza (demo)",
        date(2021, 4, 17),
        MilestoneState.PLANNED,
        None,
        _rome(2021, 2, 1, 18, 5),
    ),
)
REPORTS = (
    # budget line (its description), amount, description, spent on, final, submitted at, approved at
    (
        "Banchi da lavoro e attrezzi per le riparazioni (demo)",
        4_850_00,
        "Quattro banchi da lavoro e la cassettiera degli attrezzi (demo)",
        date(2021, 1, 22),
        False,
        _rome(2021, 1, 25, 18, 0),
        _rome(2021, 2, 2, 10, 0),
    ),
    (
        "Riparatori esperti e formazione dei volontari (demo)",
        7_150_00,
        "Corso per i volontari riparatori, gennaio e febbraio 2021 (demo)",
        date(2021, 2, 19),
        True,
        _rome(2021, 2, 24, 17, 0),
        None,  # awaiting staff review on the 2021 clock
    ),
)
REPORTED = ("volunteers", 9, _rome(2021, 2, 24, 17, 30))


def seed_demo_aftercare(edition: Edition, now: datetime) -> dict[str, int]:
    """What happened after the 2020 campaigns by `now`: how many late pledges, milestones,
    indicators, spending reports and paid instalments were created (0 each when already there, or
    when `now` is before them)."""
    counts = {"pledges": 0, "milestones": 0, "indicators": 0, "reports": 0, "instalments": 0}
    with no_email():
        counts["pledges"] = _late_pledges(edition, now)
        if now < CLOSING_AT:
            return counts
        closing.close_due_campaigns(CLOSING_AT)
        campaign = db.session.scalars(sa.select(Campaign).filter_by(slug=CAMPAIGN_SLUG)).one_or_none()
        owner = accounts.user_by_email(DEMO_CAMPAIGN_OWNER["email"])
        if campaign is None or owner is None or campaign.application_id is None:
            return counts
        if not campaign.state(CLOSING_AT).has_succeeded:
            return counts  # staff changed the campaign since: nothing after it
        staff = _staff(ADVANCE_PAID_AT)
        counts["indicators"] = _indicators(campaign, owner, now)
        counts["milestones"] = _milestones(campaign, owner, now)
        counts["instalments"] = _advance(campaign, staff, now)
        counts["reports"] = _reports(campaign, owner, staff, now)
    return counts


def _late_pledges(edition: Edition, now: datetime) -> int:
    """The late demo pledges of each campaign that has ended by `now`, confirmed before its end."""
    created = 0
    for project in PROJECTS:
        if not project.raised_late_eur:
            continue
        campaign = db.session.scalars(
            sa.select(Campaign).filter_by(slug=project.slug, edition_id=edition.id)
        ).one_or_none()
        if campaign is None or now < campaign.ends_at:
            continue
        until = campaign.ends_at - timedelta(days=1, hours=4)
        plan = planned_pledges(f"late-{project.slug}", project.raised_late_eur, 0, LATE_PLEDGES_FROM, until)
        created += _add_pledges(campaign, plan)
    return created


def _indicators(campaign: Campaign, owner: User, now: datetime) -> int:
    """Chosen with their targets after the campaign, one value reported with the final report."""
    application_id = campaign.application_id
    chosen = db.session.scalar(sa.select(sa.func.count()).where(ImpactIndicator.application_id == application_id))
    if chosen or now < INDICATORS_AT:
        return 0
    for code, target in INDICATORS:
        indicators.set_indicator(application_id, code, target, owner, INDICATORS_AT)
    code, value, reported_at = REPORTED
    if reported_at <= now:
        indicators.report_indicator(application_id, code, value, owner, reported_at)
    return len(INDICATORS)


def _milestones(campaign: Campaign, owner: User, now: datetime) -> int:
    """The timeline's milestones (the start done), then the organisation's own."""
    made = 0
    if now >= PLANNED_AT:
        planned = milestones.plan_from_application(campaign.id, owner, PLANNED_AT)
        start = next((m for m in planned if m.title == milestones.START_TITLE), None)
        if start is not None:
            milestones.update_milestone(
                campaign.id,
                start.id,
                title=start.title,
                due_on=start.due_on,
                state=MilestoneState.DONE,
                note="Testo dimostrativo: il laboratorio ha aperto le porte al quartiere.",
                actor=owner,
                now=PLANNED_AT,
            )
        made += len(planned)
    titles = set(db.session.scalars(sa.select(Milestone.title).filter_by(campaign_id=campaign.id)))
    for title, due_on, state, note, added_at in OWN_MILESTONES:
        if title in titles or now < added_at:
            continue
        milestone = milestones.add_milestone(campaign.id, title, due_on, note, owner, added_at)
        if state is not MilestoneState.PLANNED:
            milestones.update_milestone(
                campaign.id, milestone.id, title=title, due_on=due_on, state=state, note=note, actor=owner, now=added_at
            )
        made += 1
    return made


def _advance(campaign: Campaign, staff: User, now: datetime) -> int:
    """The first instalment (the advance) recorded as paid by the demo staff."""
    if now < ADVANCE_PAID_AT:
        return 0
    lines = instalments.instalments_of(campaign.id, ADVANCE_PAID_AT).lines  # written by the closing run
    advance = next((line.instalment for line in lines if line.instalment.condition is InstalmentCondition.START), None)
    if advance is None or advance.paid_at is not None:
        return 0
    instalments.record_payment(advance.id, ADVANCE_REFERENCE, staff, ADVANCE_PAID_AT)
    return 1


def _reports(campaign: Campaign, owner: User, staff: User, now: datetime) -> int:
    """The spending reports with their receipt; approved by staff where the demo says so."""
    sent = set(db.session.scalars(sa.select(SpendingReport.description).filter_by(campaign_id=campaign.id)))
    lines = {
        item.description: item.id
        for item in db.session.scalars(sa.select(BudgetItem).filter_by(application_id=campaign.application_id))
    }
    made = 0
    for line, amount, description, spent_on, final, submitted_at, approved_at in REPORTS:
        if description in sent or now < submitted_at or line not in lines:
            continue
        if spending.refusal(campaign, submitted_at) is not None:
            break  # a final report already waits or is approved: reporting is closed
        report = spending.submit_report(
            campaign.id, lines[line], amount, description, spent_on, final, "ricevuta-demo.pdf", _demo_pdf(),
            owner, submitted_at,
        )  # fmt: skip
        if approved_at is not None and approved_at <= now:
            spending.approve(report.id, staff, approved_at)
        made += 1
    return made
