"""Who hears of a comment on a campaign's draft, each in their own language, never its author:
a comment by the team goes to the coach; one by the coach goes to the team; one by staff to both."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.models import Campaign, CampaignComment, User
from portal.services import mail
from portal.services.campaigns import coaching
from portal.urls import absolute_url

SUBJECT = _l("Nuovo commento sulla campagna «%(title)s»")


def _anchor(comment: CampaignComment) -> str:
    return f"#sezione-{comment.section.value}"


def recipients(comment: CampaignComment, campaign: Campaign) -> list[tuple[User, bool]]:
    """(person, whether they read it as the team) for everyone the comment is mailed to."""
    author = comment.author
    by_team = coaching.is_team_member(campaign, author)
    by_coach = campaign.coach_id is not None and author.id == campaign.coach_id
    found: list[tuple[User, bool]] = []
    if not by_team and campaign.application_id is not None:
        found += [(member, True) for member in coaching.team_of(campaign)]
    if not by_coach and campaign.coach is not None:
        found.append((campaign.coach, False))
    return [(person, as_team) for person, as_team in found if person.id != author.id]


def queue_comment(comment: CampaignComment, campaign: Campaign, now: datetime) -> None:
    for person, as_team in recipients(comment, campaign):
        if as_team:
            url = absolute_url(
                "applications.campaign_comments", lang=person.lang, application_id=campaign.application_id
            )
        else:
            url = absolute_url("coaching.campaign", lang=person.lang, campaign_id=campaign.id)
        mail.send(
            "campaign_comment",
            to=person.email,
            lang=person.lang,
            subject=SUBJECT,
            subject_args={"title": campaign.title},
            now=now,
            reader=person,
            comment=comment,
            campaign=campaign,
            comments_url=url + _anchor(comment),
        )
