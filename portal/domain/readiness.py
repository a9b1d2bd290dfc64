"""Whether a campaign is ready to launch: the checklist the team and its coach work through.

Evidence from comparable programmes says what makes a civic campaign reach its threshold: a story
that explains the project, pictures, rewards at several amounts, a team that shares the work, a list
of people to ask on the first day (a campaign that reaches 10% early succeeds far more often) and a
plan of updates. Each item is met or not and weighs a share of a score out of 100; staff may require
a minimum score before publishing (`Edition.readiness_minimum`), refused with the missing items named.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from portal.domain import DomainError

STORY_MIN_WORDS = 300
REWARDS_MIN = 3
TEAM_MIN = 3
FIRST_SUPPORTERS_MIN = 20
UPDATES_PLANNED_MIN = 3
FULL_SCORE = 100


class Section(enum.Enum):
    """The parts of a draft a comment can be about (and the checklist's items belong to)."""

    STORY = "story"
    PHOTOS = "photos"
    REWARDS = "rewards"
    TEAM = "team"
    FIRST_SUPPORTERS = "first_supporters"
    UPDATES_PLAN = "updates_plan"
    GENERAL = "general"


class Item(enum.Enum):
    """One check of the list; its weight is its share of the score."""

    STORY = ("story", Section.STORY, 20, STORY_MIN_WORDS)
    COVER = ("cover", Section.PHOTOS, 15, 1)
    VIDEO = ("video", Section.PHOTOS, 10, 1)
    REWARDS = ("rewards", Section.REWARDS, 15, REWARDS_MIN)
    TEAM = ("team", Section.TEAM, 15, TEAM_MIN)
    FIRST_SUPPORTERS = ("first_supporters", Section.FIRST_SUPPORTERS, 15, FIRST_SUPPORTERS_MIN)
    UPDATES_PLAN = ("updates_plan", Section.UPDATES_PLAN, 10, UPDATES_PLANNED_MIN)

    def __init__(self, code: str, section: Section, weight: int, needed: int) -> None:
        self.code = code
        self.section = section
        self.weight = weight
        self.needed = needed


assert sum(item.weight for item in Item) == FULL_SCORE


class ReadinessError(enum.StrEnum):
    BELOW_MINIMUM = "readiness_below_minimum"


@dataclass(frozen=True)
class Draft:
    """What the checklist reads of a campaign being prepared."""

    story: str | None
    has_cover: bool
    has_video: bool
    rewards: int
    team_members: str | None
    first_supporters: str | None
    updates_plan: str | None


@dataclass(frozen=True)
class Check:
    item: Item
    have: int  # words, photos, rewards, people, names, updates: how far the draft is
    needed: int

    @property
    def met(self) -> bool:
        return self.have >= self.needed


@dataclass(frozen=True)
class Readiness:
    checks: tuple[Check, ...]

    @property
    def score(self) -> int:
        return sum(check.item.weight for check in self.checks if check.met)

    @property
    def missing(self) -> tuple[Item, ...]:
        return tuple(check.item for check in self.checks if not check.met)

    def meets(self, minimum: int | None) -> bool:
        return minimum is None or self.score >= minimum


_TAG = re.compile(r"<[^>]*>")


def words(text: str | None) -> int:
    """Words of a text (tags of rich text left out)."""
    return len(_TAG.sub(" ", text or "").split())


def listed(text: str | None) -> int:
    """Entries of a list written one per line: blank lines and repeats (whatever their case) do not count."""
    return len({line.strip().casefold() for line in (text or "").splitlines() if line.strip()})


def readiness(draft: Draft) -> Readiness:
    have = {
        Item.STORY: words(draft.story),
        Item.COVER: int(draft.has_cover),
        Item.VIDEO: int(draft.has_video),
        Item.REWARDS: draft.rewards,
        Item.TEAM: listed(draft.team_members),
        Item.FIRST_SUPPORTERS: listed(draft.first_supporters),
        Item.UPDATES_PLAN: listed(draft.updates_plan),
    }
    return Readiness(tuple(Check(item, have[item], item.needed) for item in Item))


def check_publishable(state: Readiness, minimum: int | None) -> None:
    """Refuse publication below the edition's minimum, naming what is missing."""
    if not state.meets(minimum):
        raise DomainError(
            ReadinessError.BELOW_MINIMUM,
            score=state.score,
            minimum=minimum,
            missing=[item.code for item in state.missing],
        )
