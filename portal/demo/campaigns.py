"""Demo campaigns of the 2020 edition, with demo pledges, and of 2016 (`demo_campaigns_2016`), for
`flask seed-demo` (development only).

With ``PORTAL_NOW=2020-11-15T12:00:00+01:00`` the gallery shows published campaigns in every
state: upcoming (rounds 2 and 3), live (Lab Barona, ClimBinG, Ri-Porta Vittoria), co-funded
(Quel verde in fondo al tunnel), succeeded and not funded (two fictional campaigns, named as
such: no real 2020 campaign had ended by then, and every real one did reach its target).

**Source**: ``portal/data/milano/crowdfunding_2020_projects.csv`` (see its SOURCES.md), column by column:

=========================  ====================================================================
CSV column                 campaign field
=========================  ====================================================================
``title``                  ``title`` (and the key of the demo's additions, `demo_campaign_data`)
``organisation``           ``organisation_name``; where the CSV's compiler wrote English
                           connectives ("with", "idea by") the demo says them in Italian
``round``                  ``starts_at``: 30 Oct 2020, 28 Jan 2021 or 24 Feb 2021 at 00:00 Rome;
                           ``ends_at`` = start + the edition's campaign days (60): the sources
                           give "28 Jan – 28 Mar 2021" and "24 Feb – 24 Apr 2021"; for round 1
                           only Lab Barona's last day (27 Dec 2020) is known, the others' end is
                           an estimate (``ends_at`` listed)
``nil_id_suggested``       ``nil_id``; ``municipio`` is that NIL's prevalent Municipio (nil.csv)
``municipio_as_reported``  ``municipio`` where there is no NIL
``total_budget_eur``       ``goal_cents``
``crowdfunding_target_eur``  ``target_cents``; with no total, ``goal_cents`` = target ÷ 40 %
                           (the edition's rule), listed as an estimate
``source_urls``            ``source_urls`` (split on " ; ")
``summary``                not copied: ``summary`` and ``story`` are the portal's Italian paraphrase
``outcome``, ``notes``     not copied (the state follows the clock and the demo pledges)
=========================  ====================================================================

``reserved_cents`` is what selection would set aside: min(60 % × goal, cap), so Lab Barona's
goal of 20.000 € gives a target of 8.000 € and a reserve (and, once reached, a grant) of 12.000 €;
never more than the goal leaves after the target (`grant_ceiling`): Quel verde's real target of
4.200 € on 10.450 € leaves 6.250 €, not the rule's 6.270 €.

**Made up for the demo**, and listed in each campaign's ``demo_estimates``: goals where the sources
give neither cost nor target (and so the target and the reserve derived from them); round 1's
end dates except Lab Barona's; the publication date of rounds 2 and 3 (29 Oct 2020); every demo
pledge (amounts, dates, fictional supporters named "… Demo/Esempio/Prova", e-mails
@demo.example, every fourth anonymous), hence the raised and pending totals, the supporters and
the moment a grant was committed; on a clock past round 1's end (`make run-2021`), the late pledges
that take its real campaigns to their target (`DemoProject.raised_late_eur`, `portal.demo.aftercare`).
The fictional campaigns are made up entirely. The moment the
2020 ranking was published (``RANKING_PUBLISHED_AT``, 15 Oct 2020): the call page lists the
edition's campaigns as its selected projects from then on.

**Left out**: the three 2020 rows without a confirmed title or organisation
(`demo_campaign_data.LEFT_OUT`); the editions' official documents (the call's PDF, FAQ, annexes, the
ranking's PDF), which are not in our sources: staff upload them. The 2016 projects have their own
module, `demo_campaigns_2016`: that edition's rule is only partly known (no threshold, no
budget), so its funded projects are written already closed, with no pledges.

**Run from the portal**: Lab Barona's organisation has a demo account (`barona@demo.example`) and
the selected application the campaign came from (`portal.demo.campaign_owner`), so its photos and
updates can be tried from the organisation's area; the campaign's facts stay the sources'.

**Idempotent**: a campaign whose slug exists is left as it is; a demo pledge (by campaign and
e-mail) is created only if missing, and confirmed only while still pending; closing skips
closed campaigns. No e-mail is queued while seeding (demo pledges tell nobody anything).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from stdnum import luhn

from portal.clock import ROME
from portal.demo.campaign_data import (
    AMOUNT_CYCLE,
    DEMO_NAMES,
    FICTIONAL,
    FICTIONAL_ORGANISATION,
    PROJECTS,
    DemoProject,
    FictionalProject,
)
from portal.demo.campaign_owner import seed_campaign_owner
from portal.demo.campaigns_2016 import PROJECTS_2016, campaign_2016, csv_rows_2016
from portal.domain import DomainError
from portal.domain.campaign import grant_ceiling
from portal.domain.match_funding import split_cost
from portal.domain.pledge import PaidVia, PledgeStatus
from portal.domain.tax_relief import FiscalStatus
from portal.extensions import db
from portal.models import Campaign, CampaignUpdate, Edition, Organisation, OutboxMessage, Pledge
from portal.services.campaigns import closing
from portal.services.payments import payments
from portal.services.places.neighbourhoods import nil_or_none
from portal.services.transaction import transactional

CSV_2020 = Path(__file__).resolve().parents[1] / "data" / "milano" / "crowdfunding_2020_projects.csv"
ROUND_STARTS = {"1": date(2020, 10, 30), "2": date(2021, 1, 28), "3": date(2021, 2, 24)}
ANNOUNCED_AT = datetime(2020, 10, 29, 12, 0, tzinfo=ROME)  # made up: rounds 2 and 3 shown in advance
PLEDGES_UNTIL = datetime(2020, 11, 14, 20, 0, tzinfo=ROME)  # the last demo pledge before the demo's moment
CLOSING_AT = datetime(2020, 11, 10, 2, 0, tzinfo=ROME)  # the closing run after the fictional campaigns ended
# Made up: no source gives when the 2020 ranking was published. The demo takes the day its
# selection results are expected (the edition's `results_expected_on`, itself an estimate), two
# weeks before round 1 went online; the call page lists the selected projects from then on.
RANKING_PUBLISHED_AT = datetime(2020, 10, 15, 12, 0, tzinfo=ROME)
PLEDGE_FIELDS = ["pledges", "confirmed_cents", "pending_cents", "supporters"]
# Made up: the fictional association is an ONLUS (since 2014, checked by staff before round 1), so
# the succeeded fictional campaign's receipts carry the art. 83 note of 2020; the real campaigns'
# organisations get "none of these" (the portal does not know their status) and a codice fiscale
# invented for the demo ("9…"), so their receipts, once a later clock closes them, carry none.
FICTIONAL_FISCAL_STATUS = (FiscalStatus.ONLUS, date(2014, 1, 1))
FISCAL_CHECKED_AT = datetime(2020, 10, 20, 10, 0, tzinfo=ROME)


@dataclass(frozen=True)
class PlannedPledge:
    email: str
    name: str | None
    amount_cents: int
    at: datetime
    confirm_at: datetime | None  # None: left pending


def _rome(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=ROME)


def csv_rows() -> dict[str, dict[str, str]]:
    with CSV_2020.open(encoding="utf-8", newline="") as handle:
        return {row["title"]: row for row in csv.DictReader(handle) if row["title"]}


def _euros(value: str) -> int | None:
    return int(value) * 100 if value.strip() else None


def real_campaign(project: DemoProject, row: dict[str, str], edition: Edition) -> Campaign:
    """A campaign from a CSV row and the demo's additions (the mapping of the module's docstring)."""
    estimates: list[str] = []
    rule = edition.match_rule
    goal, target = _euros(row["total_budget_eur"]), _euros(row["crowdfunding_target_eur"])
    if goal is None and target is not None:
        goal = target * 100 // rule.threshold_percent
        if "40% of the total" not in row["notes"]:  # REstart's source states the 40 %
            estimates += ["goal_cents", "reserved_cents"]
    if goal is None:
        goal = project.goal_estimate_eur * 100
        estimates += ["goal_cents", "target_cents", "reserved_cents"]
    split = split_cost(goal, rule)
    if target is None:
        target = split.citizens_target_cents
    round_number = row["round"].split()[0]
    starts_at = _rome(ROUND_STARTS[round_number])
    if project.last_day is not None:
        ends_at = _rome(project.last_day + timedelta(days=1))
    else:
        ends_at = starts_at + timedelta(days=edition.campaign_days)
        if round_number == "1":
            estimates.append("ends_at")
    published_at = starts_at  # round 1 went online on its first day
    if round_number != "1":
        published_at = ANNOUNCED_AT
        estimates.append("published_at")
    if project.raised_eur or project.pending:
        estimates += PLEDGE_FIELDS
    nil = nil_or_none(int(row["nil_id_suggested"])) if row["nil_id_suggested"] else None
    reported = row["municipio_as_reported"]
    return Campaign(
        edition_id=edition.id,
        slug=project.slug,
        title=row["title"],
        summary=project.summary,
        story=project.summary,
        organisation_name=project.organisation or row["organisation"],
        theme=project.theme,
        nil_id=nil.id if nil else None,
        municipio=nil.municipio if nil else (int(reported) if reported else project.municipio),
        goal_cents=goal,
        target_cents=target,
        reserved_cents=grant_ceiling(goal_cents=goal, target_cents=target, share_cents=split.comune_cents),
        starts_at=starts_at,
        ends_at=ends_at,
        created_at=published_at,
        published_at=published_at,
        demo_estimates=list(dict.fromkeys(estimates)),
        source_urls=[url.strip() for url in row["source_urls"].split(" ; ") if url.strip()],
    )


def fictional_campaign(project: FictionalProject, edition: Edition) -> Campaign:
    split = split_cost(project.goal_eur * 100, edition.match_rule)
    starts_at = _rome(project.starts_on)
    nil = nil_or_none(project.nil_id)
    return Campaign(
        edition_id=edition.id,
        slug=project.slug,
        title=project.title,
        summary=project.summary,
        story=project.summary,
        organisation_name=FICTIONAL_ORGANISATION,
        theme=project.theme,
        nil_id=nil.id,
        municipio=nil.municipio,
        goal_cents=split.cost_cents,
        target_cents=split.citizens_target_cents,
        reserved_cents=split.comune_cents,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=edition.campaign_days),
        created_at=starts_at - timedelta(days=2),
        published_at=starts_at - timedelta(days=1),
        demo_estimates=["goal_cents", "target_cents", "reserved_cents", "starts_at", "ends_at", "story", "summary"]
        + PLEDGE_FIELDS,
        source_urls=[],
        updates=[
            CampaignUpdate(
                title=project.update_title,
                body=project.update_body,
                posted_at=starts_at + timedelta(days=40),
            )
        ],
    )


def planned_pledges(
    slug: str, raised_eur: int, pending: int, starts_at: datetime, until: datetime
) -> list[PlannedPledge]:
    """Demo pledges confirming exactly `raised_eur`, spread over the window until `until`, each paid
    about a day later; then `pending` pledges never paid. Deterministic, so a rerun finds them."""
    scale = max(1, raised_eur // 4_000)
    amounts, left = [], raised_eur
    for step in range(10_000):
        if left <= 0:
            break
        amount = min(AMOUNT_CYCLE[step % len(AMOUNT_CYCLE)] * scale, left)
        amounts.append(amount)
        left -= amount
    count = len(amounts) + pending
    first = starts_at + timedelta(hours=9)
    gap = (until - first) / max(count, 1)
    plan = []
    for n in range(count):
        at = first + gap * n
        confirmed = n < len(amounts)
        amount = amounts[n] if confirmed else AMOUNT_CYCLE[n % len(AMOUNT_CYCLE)]
        plan.append(
            PlannedPledge(
                email=f"demo-{slug[:40]}-{n + 1:02d}@demo.example",
                name=None if n % 4 == 3 else f"{DEMO_NAMES[n % len(DEMO_NAMES)]} (demo)",
                amount_cents=amount * 100,
                at=at,
                confirm_at=min(at + timedelta(hours=20), until) if confirmed else None,
            )
        )
    return plan


@contextmanager
def no_email() -> Iterator[None]:
    """Nothing the demo does while seeding reaches an outbox: its pledges tell nobody anything."""
    session = db.session()

    def drop_outbox_messages(session, flush_context, instances) -> None:
        for item in list(session.new):
            if isinstance(item, OutboxMessage):
                session.expunge(item)

    event.listen(session, "before_flush", drop_outbox_messages)
    try:
        yield
    finally:
        event.remove(session, "before_flush", drop_outbox_messages)


def _add_pledges(campaign: Campaign, plan: list[PlannedPledge]) -> int:
    existing = {p.email: p for p in db.session.scalars(sa.select(Pledge).where(Pledge.campaign_id == campaign.id))}
    created = 0
    for planned in plan:
        pledge = existing.get(planned.email)
        if pledge is None:
            request = payments.PledgeRequest(planned.amount_cents, planned.email, planned.name, None, None, "it")
            try:
                pledge = payments.create_pledge(campaign.id, request, planned.at)
            except DomainError:  # staff changed the campaign since: leave it be
                continue
            created += 1
        if planned.confirm_at is not None and pledge.status is PledgeStatus.PENDING:
            payments.confirm_payment(
                pledge.reference, pledge.amount_cents, PaidVia.BANK, f"demo-{pledge.reference}", planned.confirm_at
            )
    return created


def seed_demo_campaigns() -> dict[str, int]:
    """Create the demo campaigns of 2016 and 2020 and the pledges of 2020; running it again creates nothing twice."""
    edition = db.session.execute(sa.select(Edition).filter_by(year=2020)).scalar_one()
    rows = csv_rows()
    counts = {"campaigns": 0, "pledges": 0}
    with no_email():
        for project in PROJECTS:
            campaign = _get_or_add(project.slug, lambda p=project: real_campaign(p, rows[p.title], edition), counts)
            plan = planned_pledges(project.slug, project.raised_eur, project.pending, campaign.starts_at, PLEDGES_UNTIL)
            counts["pledges"] += _add_pledges(campaign, plan)
        for project in FICTIONAL:
            campaign = _get_or_add(project.slug, lambda p=project: fictional_campaign(p, edition), counts)
            until = campaign.ends_at - timedelta(days=2)
            plan = planned_pledges(project.slug, project.raised_eur, project.pending, campaign.starts_at, until)
            counts["pledges"] += _add_pledges(campaign, plan)
        _demo_organisations(edition)
        seed_campaign_owner(edition)  # Lab Barona's organisation, with the application it came from
        closing.close_due_campaigns(CLOSING_AT)
    _publish_ranking(edition)
    first = db.session.execute(sa.select(Edition).filter_by(year=2016)).scalar_one()
    rows_2016 = csv_rows_2016()
    for project in PROJECTS_2016:
        _get_or_add(project.slug, lambda p=project: campaign_2016(p, rows_2016[p.title], first), counts)
    return counts


@transactional
def _demo_organisations(edition: Edition) -> None:
    """Every 2020 demo campaign gets its organisation (receipts are in its name): one per name, with
    a fiscal status (see `FICTIONAL_FISCAL_STATUS`); a campaign that has one keeps it."""
    campaigns = db.session.scalars(
        sa.select(Campaign).where(Campaign.edition_id == edition.id, Campaign.application_id.is_(None))
    ).all()
    names = sorted({c.organisation_name for c in campaigns})
    for campaign in campaigns:
        if campaign.organisation_id is not None:
            continue
        number = f"9{names.index(campaign.organisation_name) + 1:09d}"
        codice_fiscale = number + luhn.calc_check_digit(number)
        organisation = db.session.scalar(sa.select(Organisation).filter_by(codice_fiscale=codice_fiscale))
        if organisation is None:
            organisation = _demo_organisation(campaign, codice_fiscale)
            db.session.add(organisation)
            db.session.flush()
        campaign.organisation_id = organisation.id


def _demo_organisation(campaign: Campaign, codice_fiscale: str) -> Organisation:
    fictional = campaign.organisation_name == FICTIONAL_ORGANISATION
    status, since = FICTIONAL_FISCAL_STATUS if fictional else (FiscalStatus.OTHER, None)
    nil = nil_or_none(campaign.nil_id) if campaign.nil_id else None
    return Organisation(
        name=campaign.organisation_name[:200],
        legal_form="associazione" if fictional else "altro",
        codice_fiscale=codice_fiscale,
        address="Indirizzo non indicato (demo)",
        nil_id=nil.id if nil else 1,
        municipio=nil.municipio if nil else (campaign.municipio or 1),
        contact_name="Referente (demo)",
        contact_phone="02 0000000",
        fiscal_status=status,
        fiscal_status_since=since,
        fiscal_status_checked_at=FISCAL_CHECKED_AT,
        created_at=FISCAL_CHECKED_AT,
        updated_at=FISCAL_CHECKED_AT,
    )


@transactional
def _publish_ranking(edition: Edition) -> None:
    """The 2020 ranking, published at the demo's estimated moment unless staff published it already.
    The demo attaches no documents to the editions: their official PDFs are not in our sources."""
    if edition.ranking_published_at is None:
        edition.ranking_published_at = RANKING_PUBLISHED_AT


@transactional
def _get_or_add(slug: str, build, counts: dict[str, int]) -> Campaign:
    campaign = db.session.execute(sa.select(Campaign).filter_by(slug=slug)).scalar_one_or_none()
    if campaign is None:
        campaign = build()
        db.session.add(campaign)
        counts["campaigns"] += 1
    return campaign
