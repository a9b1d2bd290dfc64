"""Evaluation of applications: the edition's criteria, evaluators' assignments and their scores."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime


class Criterion(db.Model):
    __tablename__ = "criterion"
    __table_args__ = (
        sa.UniqueConstraint("edition_id", "code", name="uq_criterion_edition_code"),
        sa.CheckConstraint("weight > 0", name="weight"),
        sa.CheckConstraint("max_score > 0", name="max_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("edition.id"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(40))
    label_it: Mapped[str] = mapped_column(sa.String(200))
    label_en: Mapped[str] = mapped_column(sa.String(200))
    weight: Mapped[int]
    max_score: Mapped[int]
    # The 2020 call's criteria are not public in our sources: the shipped set is an example.
    is_example: Mapped[bool] = mapped_column(default=False)
    # What each part of the scale means, shown to evaluators next to it (one band a line).
    rubric_it: Mapped[str | None] = mapped_column(sa.Text)
    rubric_en: Mapped[str | None] = mapped_column(sa.Text)

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_it

    def rubric(self, lang: str) -> str | None:
        return self.rubric_en if lang == "en" and self.rubric_en else self.rubric_it


class Assignment(db.Model):
    """An evaluator asked to evaluate an application; a declared conflict excludes them from it."""

    __tablename__ = "assignment"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "evaluator_id", name="uq_assignment_application_evaluator"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"), index=True)
    evaluator_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The evaluator states, before seeing anything, whether they have a conflict of interest.
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    has_conflict: Mapped[bool | None]
    conflict_note: Mapped[str | None] = mapped_column(sa.String(500))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(sa.Text)

    application: Mapped[Application] = relationship()  # noqa: F821
    evaluator: Mapped[User] = relationship()  # noqa: F821
    scores: Mapped[list[Score]] = relationship(cascade="all, delete-orphan", back_populates="assignment")

    @property
    def is_active(self) -> bool:
        return self.has_conflict is not True


class Score(db.Model):
    __tablename__ = "score"
    __table_args__ = (sa.UniqueConstraint("assignment_id", "criterion_id", name="uq_score_assignment_criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("criterion.id"))
    score: Mapped[int]

    assignment: Mapped[Assignment] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()
