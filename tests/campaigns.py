"""Campaigns and pledges for tests, made through the models and the payment services."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.clock import ROME
from portal.domain.match_funding import split_cost
from portal.domain.pledge import PaidVia, PledgeStatus
from portal.extensions import db
from portal.models import Campaign, CampaignReward, Edition, OutboxMessage, Pledge
from portal.services.campaigns import closing
from portal.services.payments import payments

# The demo's moment: the 2020 campaigns are live (they ran from 30 October 2020).
NOVEMBER = "2020-11-15T12:00:00+01:00"
NOVEMBER_AT = datetime(2020, 11, 15, 12, 0, tzinfo=ROME)
STARTS_AT = datetime(2020, 10, 30, 0, 0, tzinfo=ROME)
AFTER_THE_END = STARTS_AT + timedelta(days=61)  # the 60-day window is over: closing acts
TEAM = "crowdfunding.civico@comune.milano.example"  # PROGRAMME_TEAM_EMAIL: hears of grants and closings


def make_campaign(
    app,
    title: str = "Lab Barona",
    *,
    goal_cents: int = 2_000_000,
    year: int = 2020,
    municipio: int | None = 6,
    nil_id: int | None = 46,
    theme: str | None = "ambiente",
    starts_at: datetime = STARTS_AT,
    days: int = 60,
    published: bool = True,
    rewards: tuple[tuple[str, int, int | None], ...] = (),  # (title, min_pledge_cents, quantity)
    organisation: str = "La Cordata",
    story: str | None = "Un laboratorio di riparazione aperto al quartiere.",
    slug: str | None = None,
) -> int:
    """A campaign as selection and launch leave it: goal, the citizens' target and the Comune's
    reserve from the edition's rule (Lab Barona: 20.000 € → 8.000 € → 12.000 €)."""
    # Published the day before it opens, and campaigns opening later were announced with the first ones.
    announced_at = min(starts_at, STARTS_AT) - timedelta(days=1)
    with app.app_context():
        edition = db.session.execute(db.select(Edition).filter_by(year=year)).scalar_one()
        split = split_cost(goal_cents, edition.match_rule)
        campaign = Campaign(
            edition_id=edition.id,
            slug=slug or title.lower().replace(" ", "-"),
            title=title,
            summary=f"{title}: il progetto in breve.",
            story=story,
            organisation_name=organisation,
            theme=theme,
            nil_id=nil_id,
            municipio=municipio,
            goal_cents=goal_cents,
            target_cents=split.citizens_target_cents,
            reserved_cents=split.comune_cents,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(days=days),
            created_at=announced_at - timedelta(days=9),
            published_at=announced_at if published else None,
            rewards=[
                CampaignReward(position=i, title=t, min_pledge_cents=m, description=f"{t}: descrizione.", quantity=q)
                for i, (t, m, q) in enumerate(rewards, start=1)
            ],
        )
        db.session.add(campaign)
        db.session.commit()
        return campaign.id


def pledge(
    app,
    campaign_id: int,
    amount_cents: int,
    *,
    email: str = "sostenitore@example.org",
    name: str | None = "Anna Rossi",
    reward_id: int | None = None,
    lang: str = "it",
    at: datetime = NOVEMBER_AT,
) -> str:
    """A pending pledge through the service; its payment reference."""
    with app.app_context():
        request = payments.PledgeRequest(amount_cents, email, name, None, reward_id, lang)
        return payments.create_pledge(campaign_id, request, at).reference


def confirm(app, reference: str, amount_cents: int, *, via: PaidVia = PaidVia.BANK, at: datetime = NOVEMBER_AT):
    """Confirm a payment as the bank import or the webhook does; the outcome."""
    with app.app_context():
        outcome = payments.confirm_payment(reference, amount_cents, via, f"test-{reference}", at)
        db.session.commit()
        return outcome.outcome, outcome.grant_cents


def campaign_row(app, campaign_id: int) -> Campaign:
    """The campaign as stored, detached: read its figures after the app context."""
    with app.app_context():
        campaign = db.session.get(Campaign, campaign_id)
        db.session.expunge(campaign)
        return campaign


def mails(app, to: str | None = None) -> list[tuple[str, str, str]]:
    """(to, subject, body) of every e-mail in the outbox, or of those to one address."""
    with app.app_context():
        query = db.select(OutboxMessage).order_by(OutboxMessage.id)
        if to:
            query = query.filter_by(to=to)
        # Babel puts a no-break space before the euro sign.
        return [(m.to, m.subject.replace("\xa0", " "), m.body.replace("\xa0", " ")) for m in db.session.scalars(query)]


def statuses(app, campaign_id: int) -> dict[str, PledgeStatus]:
    """Each pledge's status by its reference."""
    with app.app_context():
        return {p.reference: p.status for p in db.session.scalars(db.select(Pledge).filter_by(campaign_id=campaign_id))}


def close(app, at=AFTER_THE_END):
    """The closing run at this moment; the campaigns it closed."""
    with app.app_context():
        return closing.close_due_campaigns(at)
