"""Accompaniment: the coaches staff create, the campaign each accompanies, and the one rule of which
campaigns a signed-in person reaches from the coaching area (`coached_campaign`, asked by every view
of it and by the comments service).

A coach is an account of `Role.COACH`, invited like an evaluator (`signup.invite`: a link to choose a
password, the second factor set up at the first sign-in). Staff assign one to a campaign, change or
remove it, until the campaign is over; the coach hears of it by e-mail, in their language.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from portal.domain import DomainError
from portal.extensions import db
from portal.models import Campaign, Role, User
from portal.services import audit, mail
from portal.services.accounts import signup
from portal.services.transaction import transactional
from portal.urls import absolute_url


class CoachingError(StrEnum):
    NOT_A_COACH = "not_a_coach"  # the account chosen is not a coach's
    CAMPAIGN_OVER = "campaign_over"  # the campaign has closed: nothing left to accompany
    NO_CAMPAIGN = "no_campaign"


# --- Who reaches what ---------------------------------------------------------------------------


def reaches_every_campaign(user: User) -> bool:
    """Staff open every campaign's coaching page (to read it, to step in with a comment)."""
    return user.role is Role.STAFF


def coached_campaign(campaign_id: int, user: User) -> Campaign | None:
    """The campaign, if `user` reaches it from the coaching area: its assigned coach, or staff.
    Anyone else (another coach, a coach of no campaign): None, and the view answers 404."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    if reaches_every_campaign(user):
        return campaign
    if user.role is Role.COACH and campaign.coach_id == user.id:
        return campaign
    return None


def coached_campaigns(user: User) -> list[Campaign]:
    """The campaigns on the coaching area's first page: a coach's own; for staff, every campaign
    that has a coach. Rewards loaded with them (the checklist counts them)."""
    query = sa.select(Campaign).options(selectinload(Campaign.rewards)).order_by(Campaign.starts_at, Campaign.id)
    if reaches_every_campaign(user):
        query = query.where(Campaign.coach_id.is_not(None))
    elif user.role is Role.COACH:
        query = query.where(Campaign.coach_id == user.id)
    else:
        return []
    return list(db.session.scalars(query))


def team_of(campaign: Campaign) -> list[User]:
    """The campaign's team: the applicant accounts of the organisation that runs it."""
    if campaign.organisation_id is None:
        return []
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.APPLICANT, User.organisation_id == campaign.organisation_id)
            .order_by(User.id)
        )
    )


def is_team_member(campaign: Campaign, user: User) -> bool:
    return (
        user.role is Role.APPLICANT
        and campaign.organisation_id is not None
        and user.organisation_id == campaign.organisation_id
    )


# --- The coaches --------------------------------------------------------------------------------


def coaches() -> list[User]:
    """Every coach account, by name."""
    return list(db.session.scalars(sa.select(User).where(User.role == Role.COACH).order_by(User.name, User.id)))


def campaigns_by_coach(coach_ids: list[int]) -> dict[int, list[Campaign]]:
    """The campaigns each of these coaches accompanies (one query)."""
    found: dict[int, list[Campaign]] = {coach_id: [] for coach_id in coach_ids}
    if coach_ids:
        rows = db.session.scalars(
            sa.select(Campaign).where(Campaign.coach_id.in_(coach_ids)).order_by(Campaign.starts_at, Campaign.id)
        )
        for campaign in rows:
            found[campaign.coach_id].append(campaign)
    return found


def invite_coach(email: str, name: str, actor: User, now: datetime) -> User:
    """A new coach account: the invitation path of every back-office account (`signup.invite`),
    with the coach's role. Refused (`SignupError.EXISTS`) for an address that has an account."""
    return signup.invite(email, name, Role.COACH, actor, now)


@transactional
def assign_coach(campaign_id: int, coach_id: int | None, actor: User, now: datetime) -> Campaign:
    """Give the campaign its coach, change it, or remove it (`coach_id` None); audited, and the new
    coach is told by e-mail. Refused for an account that is not a coach's and once the campaign is
    over. Choosing the coach it already has changes nothing."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise DomainError(CoachingError.NO_CAMPAIGN)
    coach = None
    if coach_id is not None:
        coach = db.session.get(User, coach_id)
        if coach is None or coach.role is not Role.COACH:
            raise DomainError(CoachingError.NOT_A_COACH)
    if campaign.state(now).is_over:
        raise DomainError(CoachingError.CAMPAIGN_OVER)
    if campaign.coach_id == coach_id:
        return campaign
    before = campaign.coach
    campaign.coach_id = coach_id
    campaign.coach = coach
    audit.record(
        actor,
        "campaign.coach",
        "campaign",
        campaign.id,
        now,
        label=campaign.title,
        changes={"coach": [before.email if before else None, coach.email if coach else None]},
    )
    if coach is not None:
        mail.send(
            "coach_assigned",
            to=coach.email,
            lang=coach.lang,
            subject=_l("Accompagnerai la campagna «%(title)s»"),
            subject_args={"title": campaign.title},
            now=now,
            coach=coach,
            campaign=campaign,
            campaign_url=absolute_url("coaching.campaign", lang=coach.lang, campaign_id=campaign.id),
        )
    return campaign
