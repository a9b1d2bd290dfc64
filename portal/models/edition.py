"""An Edition is one call of the programme: every figure and date pages show."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.eligibility import Criteria
from portal.domain.match_funding import MatchRule
from portal.extensions import db
from portal.models.types import UTCDateTime


class Edition(db.Model):
    __tablename__ = "edition"
    __table_args__ = (
        sa.CheckConstraint("threshold_percent IS NULL OR threshold_percent BETWEEN 1 AND 100", name="threshold"),
        sa.CheckConstraint("match_percent IS NULL OR match_percent BETWEEN 0 AND 100", name="match"),
        sa.CheckConstraint("match_cap_cents IS NULL OR match_cap_cents >= 0", name="cap"),
        sa.CheckConstraint("max_cost_cents IS NULL OR max_cost_cents > 0", name="max_cost"),
        sa.CheckConstraint("budget_cents IS NULL OR budget_cents >= 0", name="budget"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    number: Mapped[int]  # 1 for the first edition, 2 for the second…
    is_published: Mapped[bool] = mapped_column(default=True)

    # Dates (instants, UTC). Applications are accepted while opens_at <= now < closes_at.
    applications_open_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applications_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Limits and the match rule. Nullable: for older editions some figures are unknown,
    # and the pages say so instead of guessing.
    max_cost_cents: Mapped[int | None]
    max_duration_months: Mapped[int | None]
    campaign_days: Mapped[int | None]
    # The readiness score (0–100, portal/domain/readiness.py) a campaign needs before staff may
    # publish it; None: no minimum.
    readiness_minimum: Mapped[int | None]
    # The grant's instalments, [{"percent": 50, "condition": "start"}, ...] (portal.domain.aftercare;
    # empty: DEFAULT_PLAN), and the days after the project's end by which its final report is due.
    instalment_plan: Mapped[list[dict[str, object]]] = mapped_column(sa.JSON, default=list)
    final_report_days: Mapped[int | None]
    threshold_percent: Mapped[int | None]
    match_percent: Mapped[int | None]
    match_cap_cents: Mapped[int | None]
    budget_cents: Mapped[int | None]
    # The source gives the budget as a floor ("oltre 500.000 €"): pages say so, never a bare figure.
    budget_is_floor: Mapped[bool] = mapped_column(default=False)
    eligible_legal_forms: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    requires_non_profit: Mapped[bool] = mapped_column(default=True)
    requires_seat_in_milan: Mapped[bool] = mapped_column(default=True)

    # Who runs it.
    department: Mapped[str | None] = mapped_column(sa.String(200))
    platform_partner: Mapped[str | None] = mapped_column(sa.String(120))
    training_partner: Mapped[str | None] = mapped_column(sa.String(120))
    communication_partner: Mapped[str | None] = mapped_column(sa.String(200))
    eu_programme: Mapped[str | None] = mapped_column(sa.String(200))

    # Outcomes, where a source gives them (figures of a finished edition).
    projects_selected: Mapped[int | None]
    campaigns_online: Mapped[int | None]
    campaigns_cofunded: Mapped[int | None]
    crowd_raised_cents: Mapped[int | None]
    comune_granted_cents: Mapped[int | None]
    results_source_url: Mapped[str | None] = mapped_column(sa.String(500))

    # After the call: when the selection's results are expected (a local date, shown as such), and
    # when staff published the ranking of the selected projects on the call page.
    results_expected_on: Mapped[date | None] = mapped_column(sa.Date)
    ranking_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The edition's own words, per language (each edition has its own context).
    focus_it: Mapped[str | None] = mapped_column(sa.Text)
    focus_en: Mapped[str | None] = mapped_column(sa.Text)

    events: Mapped[list[Event]] = relationship(  # noqa: F821 - resolved by SQLAlchemy
        back_populates="edition", order_by="Event.starts_at"
    )
    documents: Mapped[list[EditionDocument]] = relationship(
        back_populates="edition", order_by="EditionDocument.position"
    )

    @property
    def has_match_rule(self) -> bool:
        return None not in (self.threshold_percent, self.match_percent, self.match_cap_cents)

    @property
    def match_rule(self) -> MatchRule:
        if not self.has_match_rule:
            raise LookupError(f"edition {self.year} has no complete match rule")
        return MatchRule(
            threshold_percent=self.threshold_percent,
            match_percent=self.match_percent,
            cap_cents=self.match_cap_cents,
            max_cost_cents=self.max_cost_cents,
        )

    @property
    def criteria(self) -> Criteria:
        return Criteria(
            eligible_legal_forms=frozenset(self.eligible_legal_forms or ()),
            requires_non_profit=self.requires_non_profit,
            requires_seat_in_milan=self.requires_seat_in_milan,
            max_duration_months=self.max_duration_months,
            max_cost_cents=self.max_cost_cents,
        )

    def focus(self, lang: str) -> str | None:
        return self.focus_en if lang == "en" and self.focus_en else self.focus_it

    def ranking_is_public(self, now: datetime) -> bool:
        """The ranking of the selected projects shows on the call page: the edition is published
        and staff published the ranking at or before `now` (the demo's clock may be earlier)."""
        return self.is_published and self.ranking_published_at is not None and self.ranking_published_at <= now

    def __repr__(self) -> str:
        return f"<Edition {self.year}>"


class DocumentKind(enum.Enum):
    """The official documents of a call, in the order the call page lists them."""

    CALL = "call"  # the call itself (il bando)
    FAQ = "faq"
    ANNEX = "annex"  # forms and annexes (allegati)
    RANKING = "ranking"  # the published ranking (graduatoria), once selection ends


class EditionDocument(db.Model):
    """An official document staff attach to an edition; the call page lists it with size and format."""

    __tablename__ = "edition_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("edition.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(sa.Enum(DocumentKind, native_enum=False, length=20))
    position: Mapped[int] = mapped_column(default=0)  # order within its kind (kinds go in DocumentKind's order)
    title_it: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    filename: Mapped[str] = mapped_column(sa.String(200))  # as uploaded, for display only
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    edition: Mapped[Edition] = relationship(back_populates="documents")

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title_it
