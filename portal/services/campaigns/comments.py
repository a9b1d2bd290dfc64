"""Comments between a campaign's coach (or staff) and its team on the draft, one thread per section
(`portal.domain.readiness.Section`). Plain text; each comment e-mails the other side
(`comments_mail`), in the same transaction."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from portal.domain import DomainError
from portal.domain.comments import CommentError, comment_body
from portal.domain.readiness import Section
from portal.extensions import db
from portal.models import Campaign, CampaignComment, User
from portal.services.campaigns import coaching, comments_mail
from portal.services.transaction import transactional


def may_comment(campaign: Campaign, user: User) -> bool:
    """The campaign's coach and staff (`coaching.coached_campaign`), and its team."""
    return coaching.coached_campaign(campaign.id, user) is not None or coaching.is_team_member(campaign, user)


@transactional
def add_comment(campaign_id: int, section: Section, body: str | None, author: User, now: datetime) -> CampaignComment:
    """A comment on one section of the draft, and the e-mail to the other side. Refused when empty,
    too long (`portal.domain.comments`), or by someone who does not reach the campaign; nothing
    stored then."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not may_comment(campaign, author):
        raise DomainError(CommentError.NOT_ALLOWED)
    text = comment_body(body)
    comment = CampaignComment(
        campaign_id=campaign.id, section=Section(section), author_id=author.id, body=text, created_at=now
    )
    comment.author = author
    db.session.add(comment)
    db.session.flush()
    comments_mail.queue_comment(comment, campaign, now)
    return comment


def threads_of(campaign_id: int) -> dict[Section, list[CampaignComment]]:
    """The comments by section, in the order of `Section`, each thread oldest first; only the
    sections that have any. Their authors loaded with them."""
    rows = db.session.scalars(
        sa.select(CampaignComment)
        .options(selectinload(CampaignComment.author))
        .where(CampaignComment.campaign_id == campaign_id)
        .order_by(CampaignComment.created_at, CampaignComment.id)
    )
    threads: dict[Section, list[CampaignComment]] = {section: [] for section in Section}
    for comment in rows:
        threads[comment.section].append(comment)
    return {section: thread for section, thread in threads.items() if thread}
