from matchmaking.models.accounts import Consent, User
from matchmaking.models.audit import AuditEntry
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
from matchmaking.models.matching import (
    FittedVocabulary,
    Interest,
    Match,
    MatchFeedback,
    MatchingState,
    MatchRun,
    MatchRunChunk,
    PendingMatch,
    Side,
)
from matchmaking.models.organizations import Invitation, Membership, Organization
from matchmaking.models.outbox import OutboxMessage, OutgoingEmail
from matchmaking.models.taxonomy import Capability, Industry

__all__ = [
    "Attachment",
    "AuditEntry",
    "Capability",
    "Confidentiality",
    "Consent",
    "DataReadiness",
    "Deployment",
    "FittedVocabulary",
    "Industry",
    "Interest",
    "Invitation",
    "Match",
    "MatchFeedback",
    "MatchRun",
    "MatchRunChunk",
    "MatchingState",
    "Maturity",
    "Membership",
    "Need",
    "Organization",
    "OutboxMessage",
    "OutgoingEmail",
    "PendingMatch",
    "Side",
    "Solution",
    "Status",
    "StatusChange",
    "User",
]
