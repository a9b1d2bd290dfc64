"""Selecting projects within the co-funding budget, telling applicants, launching campaigns."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from portal import clock
from portal.clock import ROME
from portal.domain import DomainError
from portal.domain.application import ApplicationStatus
from portal.domain.campaign import grant_ceiling
from portal.domain.cofunding import BudgetError, covers
from portal.domain.evaluation import Budget, EvaluationError, reserve
from portal.domain.match_funding import split_cost
from portal.domain.readiness import check_publishable
from portal.extensions import db
from portal.models import Application, Campaign, CampaignReward, Edition, StatusChange, User
from portal.services import audit
from portal.services.campaigns.locking import locked_campaign
from portal.services.campaigns.readiness import readiness_of
from portal.services.cofunding import budget as budget_guard
from portal.services.cofunding import ledger as cofunding
from portal.services.evaluation import decision_mail, evaluation
from portal.services.transaction import transactional


class SelectionError(StrEnum):
    NOT_FOUND = "not_found"
    NOT_IN_EVALUATION = "not_in_evaluation"
    NO_MATCH_RULE = "no_match_rule"  # the edition's match rule or the project's cost is missing
    NOT_SELECTED = "not_selected"
    ALREADY_LAUNCHED = "already_launched"
    PUBLISHED = "published"  # the campaign is public: its content and window are fixed
    AMOUNT_CHANGED = "amount_changed"  # the amount staff confirmed is no longer what selecting reserves
    UNDECIDED = "undecided"  # the ranking waits for every application's decision
    RANKING_PUBLISHED = "ranking_published"  # already on the call page


def budget_of(edition: Edition, now: datetime | None = None) -> Budget:
    """The budget as the public co-funding tracker shows it (`services.cofunding`): what is held
    or committed is taken; what campaigns not funded, or granted less than reserved, released is free."""
    used = cofunding.used_cents(edition, now or clock.now())
    return Budget(total_cents=edition.budget_cents or 0, reserved_cents=used)


def max_contribution(application: Application) -> int | None:
    """What selecting the project sets aside: min(match % × cost, cap), the call page's rule;
    None while the edition's match rule or the project's cost is missing."""
    edition = application.edition
    if not application.total_cost_cents or not edition.has_match_rule:
        return None
    try:
        return split_cost(application.total_cost_cents, edition.match_rule).comune_cents
    except DomainError:  # a cost above a maximum lowered after submission
        return None


def _decide(application_id: int, now: datetime) -> tuple[Application, Edition]:
    """The application and its edition, the edition's row locked: decisions are taken one at a time,
    so two selections at once can never both spend the same money."""
    application = db.session.get(Application, application_id)
    if application is None:
        raise DomainError(SelectionError.NOT_FOUND)
    edition = budget_guard.locked_edition(application.edition_id)
    db.session.refresh(application)
    if application.status is not ApplicationStatus.IN_EVALUATION:
        raise DomainError(SelectionError.NOT_IN_EVALUATION)
    return application, edition


def _decided(application: Application, status: ApplicationStatus, now: datetime) -> None:
    """The outcome, dated in the applicant's history, and the e-mail that tells them."""
    application.status = status
    application.decided_at = now
    application.history.append(StatusChange(status=status, at=now))
    decision_mail.queue_decision(application, now)


@dataclass(frozen=True)
class SelectionPreview:
    """What selecting a project would do to the budget, for the staff to confirm first."""

    amount_cents: int | None  # None while the edition's match rule or the project's cost is missing
    before: Budget
    after: Budget | None  # None when the budget cannot cover the amount

    @property
    def fits(self) -> bool:
        return self.after is not None


def preview_selection(application: Application, now: datetime) -> SelectionPreview:
    """The amount selecting `application` reserves and the budget before and after, as `select`
    would find them now (`select` checks again under the edition's lock)."""
    before = budget_of(application.edition, now)
    amount = max_contribution(application)
    if amount is None:
        return SelectionPreview(None, before, None)
    try:
        after = reserve(before, amount)
    except DomainError as error:
        if error.code != EvaluationError.OVER_BUDGET:
            raise
        after = None
    return SelectionPreview(amount, before, after)


@transactional
def select(application_id: int, actor: User, now: datetime, *, confirmed_cents: int | None = None) -> Budget:
    """Select a project and reserve its maximum contribution; refused with the figures if the
    edition's budget would be overspent. Returns the budget afterwards.

    With `confirmed_cents` (the amount the staff saw on the confirmation page), refused with
    ``DomainError(SelectionError.AMOUNT_CHANGED)`` unless it is still the amount reserved."""
    application, edition = _decide(application_id, now)
    amount = max_contribution(application)
    if amount is None:
        raise DomainError(SelectionError.NO_MATCH_RULE)
    if confirmed_cents is not None and confirmed_cents != amount:
        raise DomainError(SelectionError.AMOUNT_CHANGED, amount=amount)
    budget = reserve(budget_of(edition, now), amount)  # raises DomainError(EvaluationError.OVER_BUDGET, ...)
    application.reserved_cents = amount
    _decided(application, ApplicationStatus.SELECTED, now)
    audit.record(
        actor,
        "application.select",
        "application",
        application.id,
        now,
        label=application.protocol_number or "",
        changes={"status": ["in_evaluation", "selected"], "reserved_cents": [None, amount]},
    )
    return budget


@transactional
def reject(application_id: int, actor: User, now: datetime) -> None:
    application, _ = _decide(application_id, now)
    _decided(application, ApplicationStatus.NOT_SELECTED, now)
    audit.record(
        actor,
        "application.reject",
        "application",
        application.id,
        now,
        label=application.protocol_number or "",
        changes={"status": ["in_evaluation", "not_selected"]},
    )


def slug_for(title: str, application_id: int) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80].strip("-")
    return f"{words or 'progetto'}-{application_id}"


@transactional
def launch(application_id: int, starts_on: date, actor: User, now: datetime) -> Campaign:
    """Turn a selected application into a campaign (not yet public): goal = the project's cost,
    window = the edition's campaign days from the chosen day (00:00 Rome), content prefilled."""
    application = db.session.get(Application, application_id)
    if application is None or application.status is not ApplicationStatus.SELECTED:
        raise DomainError(SelectionError.NOT_SELECTED)
    if db.session.scalar(db.select(Campaign.id).filter_by(application_id=application.id)) is not None:
        raise DomainError(SelectionError.ALREADY_LAUNCHED)
    edition = application.edition
    starts_at = datetime.combine(starts_on, time(0, 0), tzinfo=ROME)
    goal_cents = application.total_cost_cents
    split = split_cost(goal_cents, edition.match_rule)
    target, share = split.citizens_target_cents, split.comune_cents
    ceiling = grant_ceiling(goal_cents=goal_cents, target_cents=target, share_cents=share)
    campaign = Campaign(
        edition_id=edition.id,
        application_id=application.id,
        slug=slug_for(application.title or "", application.id),
        title=application.title,
        summary=application.summary,
        story=application.description,
        organisation_id=application.organisation_id,  # receipts are in its name
        organisation_name=application.organisation.name,
        theme=application.theme,
        nil_id=application.nil_id,
        municipio=application.municipio,
        goal_cents=goal_cents,
        target_cents=target,
        reserved_cents=min(application.reserved_cents or 0, ceiling),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(days=edition.campaign_days or 60),
        created_at=now,
        rewards=[
            CampaignReward(
                position=r.position,
                title=r.title,
                min_pledge_cents=r.min_pledge_cents,
                description=r.description,
                quantity=r.quantity,
            )
            for r in application.rewards
        ],
    )
    db.session.add(campaign)
    db.session.flush()
    audit.record(
        actor,
        "campaign.launch",
        "campaign",
        campaign.id,
        now,
        label=campaign.title,
        changes={"starts_at": [None, starts_at.isoformat()], "goal_cents": [None, campaign.goal_cents]},
    )
    return campaign


@transactional
def update_campaign(
    campaign: Campaign, title: str, summary: str, story: str | None, starts_on: date, actor: User, now: datetime
) -> None:
    """Staff review the prefilled content before publishing; the window keeps its length. A window
    moved from the past to the future holds the campaign's reserve again: refused with
    ``DomainError(BudgetError.BELOW_HELD, held=…, reserve=…)`` unless the budget covers it."""
    campaign = locked_campaign(campaign.id)
    if campaign.is_published:
        raise DomainError(SelectionError.PUBLISHED)
    length = campaign.ends_at - campaign.starts_at
    _reopen_within_budget(campaign, datetime.combine(starts_on, time(0, 0), tzinfo=ROME) + length, now)
    before = {
        "title": campaign.title,
        "summary": campaign.summary,
        "story": campaign.story,
        "starts_at": campaign.starts_at.isoformat(),
    }
    campaign.title, campaign.summary, campaign.story = title, summary, story
    campaign.starts_at = datetime.combine(starts_on, time(0, 0), tzinfo=ROME)
    campaign.ends_at = campaign.starts_at + length
    after = {"title": title, "summary": summary, "story": story, "starts_at": campaign.starts_at.isoformat()}
    audit.record(
        actor, "campaign.update", "campaign", campaign.id, now, label=campaign.title, changes=audit.diff(before, after)
    )


def _reopen_within_budget(campaign: Campaign, ends_at: datetime, now: datetime) -> None:
    """A campaign whose window has ended holds nothing (the ledger released its reserve, and the
    budget may have been lowered since); moved to end in the future it holds its reserve again, so
    the budget must cover it, read under the edition's lock (taken after the campaign's)."""
    if not campaign.ends_at <= now < ends_at:
        return
    edition = budget_guard.locked_edition(campaign.edition_id)
    held = cofunding.used_cents(edition, now) + campaign.reserved_cents
    if not covers(edition.budget_cents, held):
        raise DomainError(BudgetError.BELOW_HELD, held=held, reserve=campaign.reserved_cents)


@transactional
def publish(campaign: Campaign, actor: User, now: datetime) -> None:
    """Refused once published, and below the edition's readiness minimum
    (``DomainError(ReadinessError.BELOW_MINIMUM, score=, minimum=, missing=[codes])``)."""
    if campaign.is_published:
        raise DomainError(SelectionError.PUBLISHED)
    check_publishable(readiness_of(campaign), campaign.edition.readiness_minimum)
    campaign.published_at = now
    audit.record(
        actor,
        "campaign.publish",
        "campaign",
        campaign.id,
        now,
        label=campaign.title,
        changes={"published_at": [None, now.isoformat()]},
    )


# --- the ranking on the call page -------------------------------------------------------

AWAITING_DECISION = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_EVALUATION)


def awaiting_decision(edition: Edition) -> list[Application]:
    """Submitted applications still without an outcome: the formal check or the selection."""
    return list(
        db.session.scalars(
            db.select(Application)
            .where(Application.edition_id == edition.id, Application.status.in_(AWAITING_DECISION))
            .order_by(Application.protocol_number)
        )
    )


@transactional
def publish_ranking(edition: Edition, actor: User, now: datetime) -> None:
    """Show the selected projects on the call page. Refused while applications await a decision
    (``DomainError(SelectionError.UNDECIDED, protocols=[...])``) and once published."""
    edition = budget_guard.locked_edition(edition.id)
    if edition.ranking_published_at is not None:
        raise DomainError(SelectionError.RANKING_PUBLISHED)
    waiting = awaiting_decision(edition)
    if waiting:
        raise DomainError(SelectionError.UNDECIDED, protocols=[a.protocol_number or str(a.id) for a in waiting])
    edition.ranking_published_at = now
    audit.record(
        actor,
        "edition.ranking_publish",
        "edition",
        edition.id,
        now,
        label=str(edition.year),
        changes={"ranking_published_at": [None, now.isoformat()]},
    )


@dataclass(frozen=True)
class RankingEntry:
    """A selected project as the call page lists it."""

    title: str
    organisation: str
    score: Decimal | None  # the average weighted score out of 100, if the evaluation gave one
    max_contribution_cents: int | None  # what selecting it reserved: the Comune's maximum contribution


def published_ranking(edition: Edition, now: datetime) -> list[RankingEntry]:
    """The selected projects once staff published the ranking (`Edition.ranking_is_public`),
    nothing before: those selected on the portal, best score first, then the edition's campaigns
    that no application on the portal led to (projects selected before the portal, as in the
    demo's 2020 edition), by their first day."""
    if not edition.ranking_is_public(now):
        return []
    entries = [
        RankingEntry(
            title=row.application.title or "",
            organisation=row.application.organisation.name,
            score=row.ranked.average,
            max_contribution_cents=row.application.reserved_cents,
        )
        for row in evaluation.ranking(edition)
        if row.application.is_selected
    ]
    selected_elsewhere = db.session.scalars(
        db.select(Campaign)
        .where(Campaign.edition_id == edition.id, Campaign.application_id.is_(None))
        .order_by(Campaign.starts_at, Campaign.title)
    )
    entries += [
        RankingEntry(
            title=campaign.title,
            organisation=campaign.organisation_name,
            score=None,
            max_contribution_cents=campaign.reserved_cents,
        )
        for campaign in selected_elsewhere
    ]
    return entries
