"""Where an edition stands now: the call, the info session, the course; and what the home page leads
with (`home_page`, from the rule of `portal.domain.phase`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.clock import ROME
from portal.domain import phase
from portal.domain.timeline import CallState, EventStatus, call_state, days_until, event_status
from portal.extensions import db
from portal.models import Edition, EditionDocument, Event, EventKind
from portal.services import data_version
from portal.services.aftercare.indicators import EditionTotal, edition_totals
from portal.services.campaigns.highlights import Highlights, campaign_counts, highlights
from portal.services.courses.calendar import CalendarItem, calendar, programme
from portal.services.editions import documents
from portal.services.evaluation.selection import RankingEntry, published_ranking


@dataclass(frozen=True)
class EventState:
    event: Event
    status: EventStatus
    days_until: int
    takes_registrations: bool  # `Event.takes_registrations` at that moment


@dataclass(frozen=True)
class CourseState:
    lessons: list[Event]
    status: EventStatus  # upcoming before the first lesson, live in between, past after the last

    @property
    def first(self) -> Event:
        return self.lessons[0]

    @property
    def last(self) -> Event:
        return self.lessons[-1]


@dataclass(frozen=True)
class Overview:
    call: CallState | None
    info_session: EventState | None
    course: CourseState | None


def call_state_of(edition: Edition, now: datetime) -> CallState | None:
    if edition.applications_close_at is None:
        return None
    return call_state(edition.applications_open_at, edition.applications_close_at, now, ROME)


def event_state(event: Event, now: datetime) -> EventState:
    return EventState(
        event,
        event_status(event.starts_at, event.ends_at, now),
        days_until(event.starts_at, now, ROME),
        event.takes_registrations(now),
    )


def edition_overview(edition: Edition, now: datetime) -> Overview:
    sessions = programme().of(edition.id, EventKind.INFO_SESSION)
    lessons = programme().of(edition.id, EventKind.LESSON)
    course = None
    if lessons:
        course = CourseState(lessons, event_status(lessons[0].starts_at, lessons[-1].ends_at, now))
    return Overview(
        call=call_state_of(edition, now),
        info_session=event_state(sessions[0], now) if sessions else None,
        course=course,
    )


@dataclass(frozen=True)
class HomePage:
    """What the home page shows at a moment: what a person can do today, then the edition's dates."""

    today: phase.Today
    overview: Overview
    next_lesson: CalendarItem | None  # the first lesson taking registrations, with its seats left
    campaigns: Highlights | None  # while campaigns are announced or open, and once they are over


def _window(event: Event | None) -> phase.Window | None:
    return phase.Window(event.starts_at, event.ends_at) if event is not None else None


def home_page(edition: Edition, now: datetime) -> HomePage:
    overview = edition_overview(edition, now)
    taking = [item for item in calendar(edition, now) if item.takes_registrations]
    # Both change only with the data and at the boundaries the data version marks (a campaign opens
    # or closes, midnight for the days left): read once per version.
    counts = data_version.memo(f"home.campaign_counts.{edition.id}", lambda: campaign_counts(edition, now))
    facts = phase.EditionFacts(
        call_opens_at=edition.applications_open_at,
        call_closes_at=edition.applications_close_at,
        info_session=_window(overview.info_session.event if overview.info_session else None),
        lessons_taking_registrations=len(taking),
        results_expected_on=edition.results_expected_on,
        ranking_public=edition.ranking_is_public(now),
        campaigns=counts,
    )
    today = phase.today(facts, now, ROME)
    shown = None
    if today.campaigns or today.results:
        shown = data_version.memo(f"home.highlights.{edition.id}", lambda: _kept(highlights(edition, now, counts)))
    return HomePage(today, overview, taking[0] if taking else None, shown)


@dataclass(frozen=True)
class CallPage:
    """What the call page shows of an edition besides its own row, the same for every visitor."""

    overview: Overview
    documents: list[EditionDocument]  # read-only rows, detached
    ranking: list[RankingEntry]
    achieved: list[EditionTotal]  # the impact indicators summed over the funded projects


def call_page(edition: Edition, now: datetime) -> CallPage:
    """Read once per data version (documents, ranking and the indicators' totals change with the
    data, or when the ranking's publication time passes or a campaign ends, boundaries of the version)."""

    def read() -> CallPage:
        listed = documents.listed(edition, now)
        for document in listed:
            db.session.expunge(document)
        return CallPage(
            edition_overview(edition, now), listed, published_ranking(edition, now), edition_totals(edition, now)
        )

    return data_version.memo(f"call.page.{edition.id}", read)


def _kept(shown: Highlights) -> Highlights:
    """The featured campaigns out of this request's session: read-only rows kept for the next
    requests of the same data version, never expired by a commit of this one."""
    for card in (*shown.spotlight, *shown.ending_soon, *shown.nearest, *shown.upcoming):
        if card.campaign in db.session:
            db.session.expunge(card.campaign)
    return shown


def live_info_session(edition: Edition, now: datetime) -> Event | None:
    """The edition's info session while it is on (the layout's "Guarda la diretta" banner)."""
    for event in programme().of(edition.id, EventKind.INFO_SESSION):
        if phase.is_live(_window(event), now):
            return event
    return None
