"""SQLAlchemy models, a module per aggregate. Importing this package registers them all."""

from portal.models.accompaniment import CampaignComment, NewsletterIssue, NewsletterSubscriber
from portal.models.aftercare import GrantInstalment, ImpactIndicator, Milestone, SpendingReport
from portal.models.application import (
    Application,
    Attachment,
    BudgetItem,
    Organisation,
    ProtocolCounter,
    Reward,
    StatusChange,
)
from portal.models.audit import AuditEntry
from portal.models.campaign import (
    BankTransaction,
    Campaign,
    CampaignReward,
    CampaignUpdate,
    Pledge,
    ProviderEvent,
)
from portal.models.data_version import DataVersion
from portal.models.edition import DocumentKind, Edition, EditionDocument
from portal.models.evaluation import Assignment, Criterion, Score
from portal.models.event import Event, EventKind, Venue
from portal.models.identity import UsedAssertion
from portal.models.media import CampaignFollower, CampaignNews, CampaignPhoto
from portal.models.refund import Refund, RefundRoute, RefundStatus, SepaBatch
from portal.models.registration import OutboxMessage, Registrant, Registration, ReminderSent
from portal.models.user import Role, User

__all__ = [
    "Application",
    "Attachment",
    "BudgetItem",
    "Organisation",
    "ProtocolCounter",
    "Reward",
    "StatusChange",
    "Assignment",
    "AuditEntry",
    "BankTransaction",
    "Campaign",
    "CampaignComment",
    "CampaignFollower",
    "CampaignNews",
    "CampaignPhoto",
    "CampaignReward",
    "CampaignUpdate",
    "Criterion",
    "DataVersion",
    "DocumentKind",
    "Edition",
    "EditionDocument",
    "Event",
    "GrantInstalment",
    "ImpactIndicator",
    "Milestone",
    "EventKind",
    "NewsletterIssue",
    "NewsletterSubscriber",
    "OutboxMessage",
    "Pledge",
    "ProviderEvent",
    "Refund",
    "RefundRoute",
    "RefundStatus",
    "Registrant",
    "Registration",
    "ReminderSent",
    "Role",
    "Score",
    "SepaBatch",
    "SpendingReport",
    "UsedAssertion",
    "User",
    "Venue",
]
