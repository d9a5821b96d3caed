"""The records every app shares: people, organizations, the taxonomy, the machinery.

These models lived in `matchmaking` until the core app was split out of it. They kept
their tables (`Meta.db_table` names the old ones, and the many-to-many tables of User
and Industry follow from them), so an existing database keeps every row; the move is
recorded by state-only migrations (core 0001, matchmaking 0012, events 0004).
"""

from core.models.accounts import Consent, User
from core.models.audit import AuditEntry
from core.models.organizations import Invitation, Membership, Organization
from core.models.outbox import OutboxMessage, OutgoingEmail
from core.models.taxonomy import Capability, Industry

__all__ = [
    "AuditEntry",
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
