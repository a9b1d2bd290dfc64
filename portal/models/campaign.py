"""A campaign: a selected project raising money from citizens, with the Comune's co-funding reserved."""

from __future__ import annotations

import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.sql.elements import ColumnElement

from portal.clock import ROME
from portal.domain.campaign import CampaignState, progress, state_of
from portal.domain.cofunding import Share, share_of
from portal.domain.pledge import PaidVia, PaymentMethod, PledgeStatus
from portal.domain.timeline import last_day
from portal.extensions import db
from portal.models.edition import Edition
from portal.models.types import UTCDateTime


class Campaign(db.Model):
    __tablename__ = "campaign"
    __table_args__ = (
        sa.CheckConstraint("goal_cents > 0", name="goal"),
        sa.CheckConstraint("reserved_cents >= 0", name="reserved"),
        sa.CheckConstraint("ends_at > starts_at", name="window"),
        sa.CheckConstraint("confirmed_cents >= 0 AND pending_cents >= 0 AND supporters >= 0", name="totals"),
        sa.CheckConstraint("grant_cents IS NULL OR grant_cents <= reserved_cents", name="grant_within_reserve"),
        # The feed and the sitemap read campaigns by publication; the gallery's "più recenti" by start.
        sa.Index("ix_campaign_published_at", "published_at", "id"),
        sa.Index("ix_campaign_starts_at", "starts_at"),
        # A preview link finds its campaign from the index, and no two campaigns share a token.
        sa.Index("uq_campaign_preview_token", "preview_token", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("edition.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("application.id"), unique=True)
    # The organisation that receives the money (its receipts are in its name): set at launch from
    # the application; the demo's campaigns from the sources have one without an application.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(150))
    summary: Mapped[str] = mapped_column(sa.String(400))
    story: Mapped[str | None] = mapped_column(sa.Text)
    organisation_name: Mapped[str] = mapped_column(sa.String(200))
    theme: Mapped[str | None] = mapped_column(sa.String(30))
    nil_id: Mapped[int | None]
    municipio: Mapped[int | None]
    goal_cents: Mapped[int] = mapped_column(sa.BigInteger)
    # What citizens must raise (the edition's threshold of the goal, rounded up), fixed at launch.
    target_cents: Mapped[int] = mapped_column(sa.BigInteger)
    # The Comune's maximum contribution, set aside from the edition's budget at selection.
    reserved_cents: Mapped[int] = mapped_column(sa.BigInteger)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # "in scadenza" sorts by it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Running totals, changed only under the campaign's row lock (services.payments), so
    # pages read them without adding up pledges.
    confirmed_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    pending_cents: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    supporters: Mapped[int] = mapped_column(default=0)  # confirmed pledges
    # How far the confirmed total is toward the citizens' target, in basis points (10000 = reached;
    # it goes beyond), kept by `_keep_progress` whenever either changes: the gallery sorts by it
    # ("più vicine alla soglia") from an index, not from a per-row computation.
    target_progress_bp: Mapped[int] = mapped_column(default=0, index=True)
    # The Comune's grant, committed once when the confirmed total reached the target in time.
    grant_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    grant_committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the closing run once the window has ended (succeeded or not funded).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The cover photo, copied here by services/campaigns/photos.py whenever it changes so the gallery
    # shows it without another query: its key (portal.models.media.CampaignPhoto), alt text and the
    # size of its largest variant. Without one, the theme's illustration.
    image_file: Mapped[str | None] = mapped_column(sa.String(200))
    image_alt: Mapped[str | None] = mapped_column(sa.String(250))
    image_width: Mapped[int | None]
    image_height: Mapped[int | None]
    # A video on YouTube or Vimeo, shown as a preview that loads nothing from there until played.
    video_url: Mapped[str | None] = mapped_column(sa.String(300))
    # Accompaniment before launch (portal/domain/readiness.py reads them): the coach staff assigned,
    # the team (one person per line, "Name — role"), the first supporters the team will ask on day
    # one (one per line; private to the team and its coach), and the plan of updates (one per line).
    coach_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    team_members: Mapped[str | None] = mapped_column(sa.Text)
    first_supporters: Mapped[str | None] = mapped_column(sa.Text)
    updates_plan: Mapped[str | None] = mapped_column(sa.Text)
    # The secret of the private preview link the team shares before launch; None: no link (revoked).
    preview_token: Mapped[str | None] = mapped_column(sa.String(64))
    # Staff feature it: shown first on the home page and in the gallery while it is live.
    featured_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Figures the demo made up (never shown as fact): names of the fields, e.g. ["goal_cents"].
    demo_estimates: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    source_urls: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    rewards: Mapped[list[CampaignReward]] = relationship(
        order_by="CampaignReward.position", cascade="all, delete-orphan", back_populates="campaign"
    )
    updates: Mapped[list[CampaignUpdate]] = relationship(
        order_by="CampaignUpdate.posted_at.desc()", cascade="all, delete-orphan", back_populates="campaign"
    )
    edition: Mapped[Edition] = relationship()
    coach: Mapped[User | None] = relationship(foreign_keys=[coach_id])  # noqa: F821

    # The rules every page, export, feed and payment asks: whether staff have published the
    # campaign, whether it is public, and its state. Each is written once here, in Python for one
    # campaign and in SQL for a query.

    @hybrid_property
    def is_published(self) -> bool:
        """Staff have published it; it goes public at `published_at` (see `is_public`), and its
        content is then fixed."""
        return self.published_at is not None

    @is_published.inplace.expression
    @classmethod
    def _is_published_expression(cls) -> ColumnElement[bool]:
        return cls.published_at.is_not(None)

    @hybrid_method
    def is_public(self, now: datetime) -> bool:
        """Public from its publication instant, while its edition is published: in the gallery, on
        its page, in the feed, the sitemap and the open data, and open to pledges within its window."""
        return self.published_at is not None and self.published_at <= now and self.edition.is_published

    @is_public.inplace.expression
    @classmethod
    def _is_public_expression(cls, now: datetime) -> ColumnElement[bool]:
        published_editions = sa.select(Edition.id).where(Edition.is_published)
        return sa.and_(cls.published_at.is_not(None), cls.published_at <= now, cls.edition_id.in_(published_editions))

    def is_previewable_by(self, token: str | None, now: datetime) -> bool:
        """The private preview: whoever holds the campaign's current preview token sees its page
        before it is public (`noindex`, `no-store`, nowhere listed). Beside `is_public`, not inside
        it: a preview never makes a campaign public, and a public campaign needs no preview.
        The whole token, compared in constant time (as bytes: any text a URL carries compares)."""
        return (
            bool(token)
            and self.preview_token is not None
            and secrets.compare_digest(self.preview_token.encode(), token.encode())
            and not self.is_public(now)
        )

    def state(self, now: datetime) -> CampaignState:
        """Where the campaign stands at `now` (`portal.domain.campaign.state_of`)."""
        return state_of(
            self.starts_at, self.ends_at, self.confirmed_cents, self.target_cents, self.grant_committed, now
        )

    @classmethod
    def in_state(cls, state: CampaignState, now: datetime) -> ColumnElement[bool]:
        """The SQL condition for campaigns in `state` at `now`: `state_of`, written for a query
        (tests/web/test_gallery.py checks that the two agree)."""
        started = cls.starts_at <= now
        open_ = sa.and_(started, cls.ends_at > now)
        ended = cls.ends_at <= now
        committed = cls.grant_committed_at.is_not(None)
        reached = cls.confirmed_cents >= cls.target_cents
        return {
            CampaignState.UPCOMING: cls.starts_at > now,
            CampaignState.LIVE: sa.and_(open_, ~committed, ~reached),
            CampaignState.COFUNDED: sa.and_(open_, sa.or_(committed, reached)),
            CampaignState.SUCCEEDED: sa.and_(ended, committed),
            CampaignState.NOT_FUNDED: sa.and_(ended, ~committed),
        }[state]

    def share(self, now: datetime) -> Share:
        """Where its reserve of the co-funding budget stands at `now` (`portal.domain.cofunding.share_of`):
        committed with its grant, released once its window ended without it, otherwise held."""
        grant = self.grant_cents if self.grant_committed else None
        return share_of(self.reserved_cents, grant, window_ended=now >= self.ends_at)

    @classmethod
    def share_in_sql(cls, now: datetime) -> tuple[ColumnElement[int], ColumnElement[int], ColumnElement[int]]:
        """`share`, written for a query: its reserved, committed and released cents, to add up with
        `sum()` (tests/web/test_tracker_scale.py checks that the two agree)."""
        committed = sa.and_(cls.grant_committed_at.is_not(None), cls.grant_cents.is_not(None))
        ended = cls.ends_at <= now
        return (
            sa.case((committed, 0), (ended, 0), else_=cls.reserved_cents),
            sa.case((committed, cls.grant_cents), else_=0),
            sa.case((committed, cls.reserved_cents - cls.grant_cents), (ended, cls.reserved_cents), else_=0),
        )

    def takes_pledges(self, now: datetime) -> bool:
        """Public and within its window."""
        return self.is_public(now) and self.state(now).is_open

    @validates("confirmed_cents", "target_cents")
    def _keep_progress(self, key: str, value: int) -> int:
        confirmed = value if key == "confirmed_cents" else self.confirmed_cents
        target = value if key == "target_cents" else self.target_cents
        self.target_progress_bp = progress(confirmed or 0, target).basis_points if target else 0
        return value

    @property
    def grant_committed(self) -> bool:
        return self.grant_committed_at is not None

    @property
    def picture(self) -> str:
        """Its theme's illustration under static/, shown when the campaign has no cover photo."""
        return f"img/themes/{self.theme or 'progetto'}.svg"

    @property
    def last_day(self) -> date:
        """The last day pledges are taken, in Rome (the window ends at the next midnight)."""
        return last_day(self.ends_at, ROME)


class CampaignReward(db.Model):
    __tablename__ = "campaign_reward"
    __table_args__ = (sa.CheckConstraint("quantity IS NULL OR claimed <= quantity", name="claimed_within_quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(120))
    min_pledge_cents: Mapped[int] = mapped_column(sa.BigInteger)
    description: Mapped[str] = mapped_column(sa.String(500))
    quantity: Mapped[int | None]
    # Pledges holding this reward (pending or confirmed), changed under the campaign's row lock.
    claimed: Mapped[int] = mapped_column(default=0)

    campaign: Mapped[Campaign] = relationship(back_populates="rewards")

    @property
    def left(self) -> int | None:
        return None if self.quantity is None else max(self.quantity - self.claimed, 0)


class CampaignUpdate(db.Model):
    """News the organisation posts on its campaign page."""

    __tablename__ = "campaign_update"
    __table_args__ = (sa.Index("ix_campaign_update_posted_at", "posted_at", "id"),)  # the feed, newest first

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(150))
    body: Mapped[str] = mapped_column(sa.Text)
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    campaign: Mapped[Campaign] = relationship(back_populates="updates")


def new_pledge_token() -> str:
    return secrets.token_urlsafe(24)


class Pledge(db.Model):
    __tablename__ = "pledge"
    __table_args__ = (
        sa.CheckConstraint("amount_cents > 0", name="amount"),
        sa.Index("ix_pledge_campaign_status", "campaign_id", "status"),
        # A campaign's supporters, latest first, read from the index whatever their number.
        sa.Index(
            "ix_pledge_campaign_confirmed",
            "campaign_id",
            "confirmed_at",
            "id",
            postgresql_where=sa.text("confirmed_at IS NOT NULL"),
            sqlite_where=sa.text("confirmed_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaign.id"))
    reward_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaign_reward.id"))
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    # What the transfer's description must hold (`portal.domain.payment_reference`).
    reference: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # The secret of the supporter's page (payment instructions and status).
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_pledge_token)
    name: Mapped[str | None] = mapped_column(sa.String(120))  # None: shown as "anonimo"
    email: Mapped[str] = mapped_column(sa.String(254))
    message: Mapped[str | None] = mapped_column(sa.String(500))
    lang: Mapped[str] = mapped_column(sa.String(2), default="it")
    status: Mapped[PledgeStatus] = mapped_column(
        sa.Enum(PledgeStatus, native_enum=False, length=20), default=PledgeStatus.PENDING
    )
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_via: Mapped[PaidVia | None] = mapped_column(sa.Enum(PaidVia, native_enum=False, length=20))
    # The bank's transaction id or the provider's event id that confirmed it.
    payment_id: Mapped[str | None] = mapped_column(sa.String(255))

    # How the supporter chose to pay; for a card, the provider's hosted checkout that takes it.
    method: Mapped[PaymentMethod] = mapped_column(
        sa.Enum(PaymentMethod, native_enum=False, length=20), default=PaymentMethod.BANK_TRANSFER
    )
    provider: Mapped[str | None] = mapped_column(sa.String(20))  # "stripe", "demo": the one that took it
    checkout_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    checkout_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The supporter's codice fiscale, given for the receipt (optional; validated on the form).
    codice_fiscale: Mapped[str | None] = mapped_column(sa.String(16))

    campaign: Mapped[Campaign] = relationship()
    reward: Mapped[CampaignReward | None] = relationship()
    refund: Mapped[Refund | None] = relationship(back_populates="pledge")  # noqa: F821

    @property
    def is_anonymous(self) -> bool:
        return not self.name


class BankTransaction(db.Model):
    """A statement row that confirmed a pledge: importing the same row again changes nothing."""

    __tablename__ = "bank_transaction"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[str] = mapped_column(sa.String(100), unique=True)
    booked_on: Mapped[date] = mapped_column(sa.Date)
    amount_cents: Mapped[int] = mapped_column(sa.BigInteger)
    pledge_id: Mapped[int] = mapped_column(sa.ForeignKey("pledge.id"), unique=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class ProviderEvent(db.Model):
    """A payment provider's notification, by its event id: a repeated delivery is ignored."""

    __tablename__ = "provider_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    type: Mapped[str] = mapped_column(sa.String(40))
    reference: Mapped[str | None] = mapped_column(sa.String(20))
    amount_cents: Mapped[int | None] = mapped_column(sa.BigInteger)
    outcome: Mapped[str] = mapped_column(sa.String(40))  # what the portal did with it
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
