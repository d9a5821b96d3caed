from matchmaking.models.accounts import Consent, User
from matchmaking.models.organizations import Invitation, Membership, Organization
from matchmaking.models.outbox import OutboxMessage, OutgoingEmail
from matchmaking.models.taxonomy import Capability, Industry

__all__ = [
    "Capability",
    "Consent",
    "Industry",
    "Invitation",
    "Membership",
    "Organization",
    "OutboxMessage",
    "OutgoingEmail",
    "User",
]
