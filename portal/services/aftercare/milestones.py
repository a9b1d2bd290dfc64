"""A funded project's milestones: made from the application's timeline, then added, updated and
removed by the organisation; shown publicly on the campaign page and in the open data.

Every change is refused before the campaign has succeeded (`funded_campaign`). What a page shows of
a milestone (planned, in progress, done, late) is asked of `portal.domain.aftercare.milestone_status`
with today's date in Rome (`today_in_rome`), never stored and never restated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa

from portal.clock import to_rome
from portal.domain import DomainError
from portal.domain.aftercare import INDICATORS, MilestoneState, MilestoneStatus, milestone_status
from portal.extensions import db
from portal.models import Application, AuditEntry, Campaign, ImpactIndicator, Milestone, User
from portal.services import audit, data_version
from portal.services.aftercare.indicators import IndicatorView
from portal.services.campaigns.locking import locked_campaign
from portal.services.transaction import transactional

TITLE_MAX = 200
NOTE_MAX = 500
# The milestones the application's timeline gives (stored as the organisation's own Italian text).
START_TITLE = "Avvio del progetto"
END_TITLE = "Conclusione del progetto"
PLANNED_ACTION = "campaign.milestones_planned"  # the audit entry that says the plan was made once


class MilestoneError(StrEnum):
    NOT_FUNDED = "milestone_not_funded"  # the campaign has not succeeded (yet)
    TITLE = "milestone_title"  # missing, or longer than TITLE_MAX
    DATE = "milestone_date"  # missing
    NOTE = "milestone_note"  # longer than NOTE_MAX
    NOT_FOUND = "milestone_not_found"  # no such milestone on this campaign
    NOT_PLANNED = "milestone_not_planned"  # only a milestone not yet begun may be removed


@dataclass(frozen=True)
class MilestoneView:
    """A milestone as a page shows it, its status already asked of the rule."""

    id: int
    position: int
    title: str
    due_on: date
    state: MilestoneState
    status: MilestoneStatus
    done_on: date | None
    note: str | None

    @property
    def is_removable(self) -> bool:
        return self.state is MilestoneState.PLANNED


def today_in_rome(now: datetime) -> date:
    """The day a milestone's date is compared with: today in Rome."""
    return to_rome(now).date()


def view(milestone: Milestone, today: date) -> MilestoneView:
    return MilestoneView(
        milestone.id,
        milestone.position,
        milestone.title,
        milestone.due_on,
        milestone.state,
        milestone_status(milestone.state, milestone.due_on, today),
        milestone.done_on,
        milestone.note,
    )


def milestones_of(campaign_id: int, now: datetime) -> list[MilestoneView]:
    """The campaign's milestones by position, with their status today."""
    rows = db.session.scalars(
        sa.select(Milestone).filter_by(campaign_id=campaign_id).order_by(Milestone.position, Milestone.id)
    )
    today = today_in_rome(now)
    return [view(row, today) for row in rows]


@dataclass(frozen=True)
class AfterCampaign:
    """What the campaign page's "Dopo la raccolta" shows: the milestones, with their status
    today, and the indicators, target against reported."""

    milestones: list[MilestoneView]
    indicators: list[IndicatorView]


@dataclass(frozen=True)
class _Stored:
    """The rows as read (plain values, kept per data version)."""

    milestones: tuple[tuple, ...]  # (id, position, title, due_on, state, done_on, note)
    indicators: tuple[IndicatorView, ...]


_MILESTONE, _INDICATOR = 0, 1


def _read_after_campaign(campaign_id: int, application_id: int | None) -> _Stored:
    """The milestones and the indicators in one query (milestones from ix_milestone_campaign_position,
    indicators from the index on their application)."""
    none = sa.null()
    milestones = sa.select(
        sa.literal(_MILESTONE).label("kind"),
        Milestone.id.label("id"),
        Milestone.position.label("rank"),
        Milestone.title.label("title"),
        Milestone.note.label("note"),
        Milestone.due_on.label("due_on"),
        Milestone.done_on.label("done_on"),
        Milestone.state.label("state"),
        sa.cast(none, sa.Integer).label("target"),
        sa.cast(none, sa.Integer).label("reported"),
    ).where(Milestone.campaign_id == campaign_id)
    indicators = sa.select(
        sa.literal(_INDICATOR), ImpactIndicator.id, none, ImpactIndicator.code, none,
        sa.cast(none, sa.Date), sa.cast(none, sa.Date), none, ImpactIndicator.target, ImpactIndicator.reported,
    ).where(ImpactIndicator.application_id == (application_id if application_id is not None else -1))  # fmt: skip
    rows = db.session.execute(sa.union_all(milestones, indicators)).all()
    steps = sorted((row for row in rows if row.kind == _MILESTONE), key=lambda row: (row.rank, row.id))
    chosen = {row.title: IndicatorView(row.title, row.target, row.reported) for row in rows if row.kind == _INDICATOR}
    return _Stored(
        tuple((r.id, r.rank, r.title, r.due_on, r.state, r.done_on, r.note) for r in steps),
        tuple(chosen[code] for code in INDICATORS if code in chosen),
    )


def after_campaign(campaign: Campaign, now: datetime) -> AfterCampaign:
    """The public record of a funded project, read once per data version (`data_version.memo`);
    the milestones' status is asked of the rule at every call, with today in Rome."""
    stored = data_version.memo(
        f"aftercare.public.{campaign.id}", lambda: _read_after_campaign(campaign.id, campaign.application_id)
    )
    today = today_in_rome(now)
    return AfterCampaign(
        [
            MilestoneView(id, position, title, due_on, state, milestone_status(state, due_on, today), done_on, note)
            for id, position, title, due_on, state, done_on, note in stored.milestones
        ],
        list(stored.indicators),
    )


def is_funded(campaign: Campaign, now: datetime) -> bool:
    """A funded project: its campaign has succeeded (`Campaign.state`)."""
    return campaign.state(now).has_succeeded


def funded_campaign(campaign_id: int, now: datetime) -> Campaign:
    """The campaign, its row locked (so two first visits never plan twice), if it has succeeded."""
    campaign = locked_campaign(campaign_id)
    if not is_funded(campaign, now):
        raise DomainError(MilestoneError.NOT_FUNDED)
    return campaign


def _title(title: str | None) -> str:
    title = (title or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise DomainError(MilestoneError.TITLE)
    return title


def _note(note: str | None) -> str | None:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DomainError(MilestoneError.NOTE)
    return note or None


def _due(due_on: date | None) -> date:
    if due_on is None:
        raise DomainError(MilestoneError.DATE)
    return due_on


def _next_position(campaign_id: int) -> int:
    last = db.session.scalar(sa.select(sa.func.max(Milestone.position)).filter_by(campaign_id=campaign_id))
    return (last or 0) + 1


def _record(actor: User, action: str, milestone: Milestone, now: datetime, changes=None) -> None:
    audit.record(actor, action, "milestone", milestone.id, now, label=milestone.title, changes=changes)


@transactional
def plan_from_application(campaign_id: int, actor: User, now: datetime) -> list[Milestone]:
    """The first milestones, from the application's timeline: its start ("Avvio del progetto") and its
    end ("Conclusione del progetto"). Once per campaign, ever: a second call (or a call after the
    organisation removed them) makes nothing. Refused before the campaign has succeeded."""
    campaign = funded_campaign(campaign_id, now)
    done = db.session.scalar(
        sa.select(AuditEntry.id)
        .filter_by(action=PLANNED_ACTION, subject_type="campaign", subject_id=campaign.id)
        .limit(1)
    )
    if done is not None:
        return []
    application = db.session.get(Application, campaign.application_id) if campaign.application_id else None
    dates = [(START_TITLE, application.start_date), (END_TITLE, application.end_date)] if application else []
    position = _next_position(campaign.id)
    made = []
    for title, due_on in dates:
        if due_on is None:
            continue
        milestone = Milestone(campaign_id=campaign.id, position=position, title=title, due_on=due_on, updated_at=now)
        db.session.add(milestone)
        made.append(milestone)
        position += 1
    db.session.flush()
    audit.record(
        actor,
        PLANNED_ACTION,
        "campaign",
        campaign.id,
        now,
        label=campaign.title,
        changes={"milestones": [None, len(made)]},
    )
    return made


@transactional
def add_milestone(
    campaign_id: int, title: str, due_on: date | None, note: str | None, actor: User, now: datetime
) -> Milestone:
    campaign = funded_campaign(campaign_id, now)
    milestone = Milestone(
        campaign_id=campaign.id,
        position=_next_position(campaign.id),
        title=_title(title),
        due_on=_due(due_on),
        note=_note(note),
        state=MilestoneState.PLANNED,
        updated_at=now,
    )
    db.session.add(milestone)
    db.session.flush()
    _record(actor, "milestone.add", milestone, now, {"due_on": [None, milestone.due_on.isoformat()]})
    return milestone


def _milestone(campaign_id: int, milestone_id: int) -> Milestone:
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.campaign_id != campaign_id:
        raise DomainError(MilestoneError.NOT_FOUND)
    return milestone


def _facts(milestone: Milestone) -> dict[str, object]:
    return {
        "title": milestone.title,
        "due_on": milestone.due_on.isoformat(),
        "state": milestone.state.value,
        "done_on": milestone.done_on.isoformat() if milestone.done_on else None,
        "note": milestone.note,
    }


@transactional
def update_milestone(
    campaign_id: int,
    milestone_id: int,
    *,
    title: str,
    due_on: date | None,
    state: MilestoneState,
    note: str | None,
    actor: User,
    now: datetime,
) -> Milestone:
    """Title, date, state and note. Marked done, it keeps the day it was first marked so (today in
    Rome); any other state clears that day."""
    funded_campaign(campaign_id, now)
    milestone = _milestone(campaign_id, milestone_id)
    before = _facts(milestone)
    milestone.title, milestone.due_on, milestone.note = _title(title), _due(due_on), _note(note)
    if state is MilestoneState.DONE:
        if milestone.state is not MilestoneState.DONE or milestone.done_on is None:
            milestone.done_on = today_in_rome(now)
    else:
        milestone.done_on = None
    milestone.state = state
    changes = audit.diff(before, _facts(milestone))
    if changes:
        milestone.updated_at = now
        _record(actor, "milestone.update", milestone, now, changes)
    return milestone


@transactional
def remove_milestone(campaign_id: int, milestone_id: int, actor: User, now: datetime) -> None:
    """Only a milestone not yet begun: one in progress or done is part of the project's record."""
    funded_campaign(campaign_id, now)
    milestone = _milestone(campaign_id, milestone_id)
    if milestone.state is not MilestoneState.PLANNED:
        raise DomainError(MilestoneError.NOT_PLANNED)
    _record(actor, "milestone.remove", milestone, now, {"due_on": [milestone.due_on.isoformat(), None]})
    db.session.delete(milestone)
