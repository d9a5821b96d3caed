from matchmaking.models.accounts import Consent, User
from matchmaking.models.catalog import (
    Attachment,
    Confidentiality,
    DataReadiness,
    Deployment,
    Maturity,
    Need,
    Solution,
    Status,
    StatusChange,
)
from matchmaking.models.organizations import Invitation, Membership, Organization
from matchmaking.models.outbox import OutboxMessage, OutgoingEmail
from matchmaking.models.taxonomy import Capability, Industry

__all__ = [
    "Attachment",
    "Capability",
    "Confidentiality",
    "Consent",
    "DataReadiness",
    "Deployment",
    "Industry",
    "Invitation",
    "Maturity",
    "Membership",
    "Need",
    "Organization",
    "OutboxMessage",
    "OutgoingEmail",
    "Solution",
    "Status",
    "StatusChange",
    "User",
]
