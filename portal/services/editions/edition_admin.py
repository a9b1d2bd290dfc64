"""Staff preparing editions: a new year copied from an earlier one, then its figures, dates and criteria."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from portal.clock import ROME, to_rome
from portal.domain import DomainError
from portal.domain.aftercare import PlannedInstalment
from portal.domain.cofunding import check_budget_change
from portal.extensions import db
from portal.models import Criterion, Edition, Score, User
from portal.services import audit
from portal.services.aftercare import instalments
from portal.services.cofunding import ledger
from portal.services.cofunding.budget import locked_edition
from portal.services.evaluation.evaluation import criteria_of
from portal.services.transaction import transactional


class EditionError(StrEnum):
    YEAR_TAKEN = "year_taken"
    CRITERIA_IN_USE = "criteria_in_use"  # scores already given against them


FIGURES = (
    "max_cost_cents",
    "max_duration_months",
    "campaign_days",
    "threshold_percent",
    "match_percent",
    "match_cap_cents",
    "budget_cents",
    "readiness_minimum",  # the readiness score a campaign needs before staff publish it (0–100)
    "final_report_days",  # days after the project's end by which its final spending report is due
)
COPIED = (
    *FIGURES,
    "budget_is_floor",
    "requires_non_profit",
    "requires_seat_in_milan",
    "department",
    "platform_partner",
    "training_partner",
    "communication_partner",
    "eu_programme",
    "instalment_plan",  # how the grant is paid (services/aftercare/instalments.py); empty: the default
)


def _same_day_in(moment: datetime | None, year: int) -> datetime | None:
    if moment is None:
        return None
    local = to_rome(moment)
    try:
        return local.replace(year=year)
    except ValueError:  # 29 February
        return local.replace(year=year, day=28)


@transactional
def copy_edition(source: Edition, year: int, actor: User, now: datetime) -> Edition:
    """A new, unpublished edition with the source's figures, legal forms and criteria, and its dates
    moved to the new year; events and outcomes are not copied."""
    edition = Edition(
        year=year,
        number=source.number + 1,
        is_published=False,
        applications_open_at=_same_day_in(source.applications_open_at, year),
        applications_close_at=_same_day_in(source.applications_close_at, year),
        eligible_legal_forms=list(source.eligible_legal_forms or []),
        **{name: getattr(source, name) for name in COPIED},
    )
    db.session.add(edition)
    try:
        db.session.flush()
    except IntegrityError:
        raise DomainError(EditionError.YEAR_TAKEN, year=year) from None
    for criterion in db.session.scalars(db.select(Criterion).filter_by(edition_id=source.id)):
        db.session.add(
            Criterion(
                edition_id=edition.id,
                position=criterion.position,
                code=criterion.code,
                label_it=criterion.label_it,
                label_en=criterion.label_en,
                weight=criterion.weight,
                max_score=criterion.max_score,
                is_example=criterion.is_example,
                rubric_it=criterion.rubric_it,
                rubric_en=criterion.rubric_en,
            )
        )
    audit.record(
        actor, "edition.copy", "edition", edition.id, now, label=str(year), changes={"copied_from": [None, source.year]}
    )
    return edition


@dataclass(frozen=True)
class EditionSettings:
    last_day: date | None
    max_cost_cents: int | None
    max_duration_months: int | None
    campaign_days: int | None
    threshold_percent: int | None
    match_percent: int | None
    match_cap_cents: int | None
    budget_cents: int | None
    eligible_legal_forms: list[str]
    is_published: bool
    results_expected_on: date | None = None  # "Esiti attesi entro": a local date
    budget_is_floor: bool = False  # the budget is a minimum: pages say "oltre"
    readiness_minimum: int | None = None  # 0–100 (portal/domain/readiness.py); None: no minimum
    # The grant's instalments (each above 0 %, adding up to 100 %: domain.aftercare.check_plan);
    # empty: DEFAULT_PLAN. Instalments already written for a campaign keep the plan of their day.
    instalment_plan: tuple[PlannedInstalment, ...] = ()
    final_report_days: int | None = None


@dataclass(frozen=True)
class CriterionSettings:
    label_it: str
    label_en: str
    weight: int
    max_score: int
    rubric_it: str | None = None  # what each band of the scale means, one band a line
    rubric_en: str | None = None


def held_cents(edition: Edition, now: datetime) -> int:
    """What the edition's budget holds at `now`, reserved or committed: the least it can be set to."""
    return ledger.used_cents(edition, now)


def settings_of(edition: Edition) -> EditionSettings:
    closes = edition.applications_close_at
    return EditionSettings(
        last_day=(to_rome(closes) - timedelta(microseconds=1)).date() if closes else None,
        eligible_legal_forms=list(edition.eligible_legal_forms or []),
        is_published=edition.is_published,
        results_expected_on=edition.results_expected_on,
        budget_is_floor=edition.budget_is_floor,
        instalment_plan=instalments.chosen_plan(edition),
        **{name: getattr(edition, name) for name in FIGURES},
    )


@transactional
def update_edition(
    edition: Edition, settings: EditionSettings, criteria: list[CriterionSettings], actor: User, now: datetime
) -> None:
    """Change the edition's figures, closing day (applications close at the end of it, Rome time) and
    criteria, in one transaction, recorded in the audit log.

    Criteria with another Italian name, weight or maximum replace the old ones, refused once scores
    were given against them (``DomainError(EditionError.CRITERIA_IN_USE)``); their English names and
    rubrics are words, changed in place even then.

    The budget is set under the edition's row lock, never below what is reserved and committed at
    `now`: ``DomainError(BudgetError.BELOW_HELD, held=…)`` (`domain.cofunding.check_budget_change`).
    An instalment plan not adding up to 100 % is refused (`domain.aftercare.check_plan`)."""
    edition = locked_edition(edition.id)
    check_budget_change(edition.budget_cents, settings.budget_cents, held_cents(edition, now))
    plan = instalments.stored_plan(settings.instalment_plan)
    if criteria and _scored(edition) and [(c.label_it, c.weight, c.max_score) for c in criteria] != _current(edition):
        raise DomainError(EditionError.CRITERIA_IN_USE)
    before = _audited(edition)
    for name in FIGURES:
        setattr(edition, name, getattr(settings, name))
    edition.eligible_legal_forms = settings.eligible_legal_forms
    edition.is_published = settings.is_published
    edition.results_expected_on = settings.results_expected_on
    edition.budget_is_floor = settings.budget_is_floor
    edition.instalment_plan = plan
    edition.applications_close_at = (
        datetime.combine(settings.last_day + timedelta(days=1), time(0, 0), tzinfo=ROME) if settings.last_day else None
    )
    if criteria and [(c.label_it, c.weight, c.max_score) for c in criteria] != _current(edition):
        for old in db.session.scalars(db.select(Criterion).filter_by(edition_id=edition.id)):
            db.session.delete(old)
        db.session.flush()
        for position, c in enumerate(criteria):
            db.session.add(
                Criterion(
                    edition_id=edition.id,
                    position=position,
                    code=f"c{position + 1}",
                    label_it=c.label_it,
                    label_en=c.label_en,
                    weight=c.weight,
                    max_score=c.max_score,
                    is_example=False,
                    rubric_it=c.rubric_it,
                    rubric_en=c.rubric_en,
                )
            )
        db.session.flush()
    elif criteria:
        for row, c in zip(_rows(edition), criteria, strict=True):
            row.label_en, row.rubric_it, row.rubric_en = c.label_en, c.rubric_it, c.rubric_en
        db.session.flush()
    after = _audited(edition)
    changes = {key: [str(value[0]), str(value[1])] for key, value in audit.diff(before, after).items()}
    audit.record(actor, "edition.update", "edition", edition.id, now, label=str(edition.year), changes=changes)


def _audited(edition: Edition) -> dict[str, object]:
    """The edition's settings and criteria as the audit log compares them."""
    settings = settings_of(edition).__dict__
    return {
        **settings,
        "instalment_plan": instalments.plan_text(settings["instalment_plan"]),
        "criteria": _criteria_snapshot(edition),
        **_criteria_words(edition),
    }


def _rows(edition: Edition) -> list[Criterion]:
    return criteria_of(edition)


def _criteria_snapshot(edition: Edition) -> str:
    return "; ".join(f"{c.label_it} ({c.weight}/{c.max_score})" for c in _rows(edition))


def _criteria_words(edition: Edition) -> dict[str, str | None]:
    """Each criterion's English name and rubrics, for the audit log: "criterion 1 rubric_it"."""
    words: dict[str, str | None] = {}
    for number, c in enumerate(_rows(edition), start=1):
        for name in ("label_en", "rubric_it", "rubric_en"):
            words[f"criterion {number} {name}"] = getattr(c, name)
    return words


def _current(edition: Edition) -> list[tuple[str, int, int]]:
    return [(c.label_it, c.weight, c.max_score) for c in _rows(edition)]


def _scored(edition: Edition) -> bool:
    return (
        db.session.scalar(
            db.select(db.func.count())
            .select_from(Score)
            .join(Score.criterion)
            .where(Criterion.edition_id == edition.id)
        )
        > 0
    )
