"""Evaluating applications: weighted scores, rubrics, the ranking, and reserving co-funding within a budget."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from portal.domain import DomainError
from portal.domain.cofunding import covers

# Evaluators without a conflict of interest an application needs, and scores it needs to be ranked.
MIN_EVALUATORS = 2
HUNDREDTH = Decimal("0.01")


def evaluators_missing(active: int) -> int:
    """How many more evaluators without a conflict an application needs."""
    return max(MIN_EVALUATORS - active, 0)


class EvaluationError(StrEnum):
    NO_CRITERIA = "no_criteria"
    MISSING_SCORE = "missing_score"
    OUT_OF_RANGE = "out_of_range"
    OVER_BUDGET = "over_budget"


@dataclass(frozen=True)
class Criterion:
    code: str
    weight: int  # relative weight; the weighted score is out of 100 whatever the weights add up to
    max_score: int


@dataclass(frozen=True)
class RubricBand:
    """One line of a criterion's rubric: the scores it covers ("0–2", "10"), and what they mean."""

    low: int | None  # None: a line that names no scores
    high: int | None
    text: str

    @property
    def scores(self) -> str | None:
        if self.low is None:
            return None
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"


_BAND = re.compile(r"^(\d{1,3})(?:\s*[–—-]\s*(\d{1,3}))?\s*:\s*(\S.*)$")


def rubric_bands(rubric: str | None) -> list[RubricBand]:
    """A rubric as staff write it, one band a line ("0–2: Benefici non indicati."), line by line;
    blank lines are dropped, and a line that names no scores is kept as text."""
    bands = []
    for line in (rubric or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = _BAND.match(line)
        if match:
            low = int(match[1])
            high = int(match[2]) if match[2] else low
            bands.append(RubricBand(min(low, high), max(low, high), match[3].strip()))
        else:
            bands.append(RubricBand(None, None, line))
    return bands


def rubric_outside_scale(rubric: str | None, max_score: int) -> bool:
    """Whether a line of the rubric names a score outside the criterion's scale 0..max_score."""
    return any(band.high is not None and band.high > max_score for band in rubric_bands(rubric))


def weighted_score(criteria: Sequence[Criterion], scores: Mapping[str, int]) -> Decimal:
    """One evaluator's score out of 100: each criterion's share of its maximum, weighted.

    Every criterion must be scored, within 0..max: ``DomainError(EvaluationError.MISSING_SCORE | OUT_OF_RANGE)``.
    """
    total_weight = sum(c.weight for c in criteria)
    if not criteria or total_weight <= 0:
        raise DomainError(EvaluationError.NO_CRITERIA)
    points = Decimal(0)
    for criterion in criteria:
        if criterion.code not in scores:
            raise DomainError(EvaluationError.MISSING_SCORE, criterion=criterion.code)
        score = scores[criterion.code]
        if not 0 <= score <= criterion.max_score:
            raise DomainError(EvaluationError.OUT_OF_RANGE, criterion=criterion.code, max_score=criterion.max_score)
        points += Decimal(score) / criterion.max_score * criterion.weight
    return (points * 100 / total_weight).quantize(HUNDREDTH, ROUND_HALF_UP)


@dataclass(frozen=True)
class RankedApplication:
    application_id: int
    average: Decimal | None  # None until at least MIN_EVALUATORS have scored it
    spread: Decimal | None  # highest minus lowest evaluator's score: a large one asks for a discussion
    evaluations: int


def rank(scores_by_application: Mapping[int, Sequence[Decimal]]) -> list[RankedApplication]:
    """Applications by average weighted score, best first; those still missing evaluations last."""
    ranked = []
    for application_id, scores in scores_by_application.items():
        if len(scores) >= MIN_EVALUATORS:
            average = (sum(scores, Decimal(0)) / len(scores)).quantize(HUNDREDTH, ROUND_HALF_UP)
            spread = max(scores) - min(scores)
        else:
            average = spread = None
        ranked.append(RankedApplication(application_id, average, spread, len(scores)))
    return sorted(ranked, key=lambda r: (r.average is None, -(r.average or 0), r.application_id))


@dataclass(frozen=True)
class Budget:
    total_cents: int
    reserved_cents: int

    @property
    def left_cents(self) -> int:
        return self.total_cents - self.reserved_cents


def reserve(budget: Budget, amount_cents: int) -> Budget:
    """The budget after reserving `amount_cents`; refused, with the figures, if it would overspend."""
    if amount_cents < 0:
        raise ValueError("a reservation is never negative")
    if not covers(budget.total_cents, budget.reserved_cents + amount_cents):
        raise DomainError(
            EvaluationError.OVER_BUDGET,
            budget=budget.total_cents,
            reserved=budget.reserved_cents,
            left=budget.left_cents,
            needed=amount_cents,
        )
    return Budget(budget.total_cents, budget.reserved_cents + amount_cents)
