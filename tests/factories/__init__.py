"""One factory per model (factory_boy), in one place: `from tests.factories import ...`.

- `accounts` core's users, staff, organizations and memberships
- `catalog`  matchmaking's needs and solutions, and hand-made matches
- `events`   seasons, venues, events, registrations, requests, meetings, outcomes
"""

from tests.factories.accounts import (
    DEFAULT_PASSWORD,
    MembershipFactory,
    OrganizationFactory,
    ProviderFactory,
    StaffFactory,
    UserFactory,
    make_uscc,
    member_of,
)
from tests.factories.catalog import NeedFactory, SolutionFactory, active_run, add_match
from tests.factories.events import (
    EventFactory,
    MeetingFactory,
    MeetingRequestFactory,
    OutcomeFactory,
    RegistrationFactory,
    SeasonFactory,
    VenueFactory,
    attend,
    attended_meeting,
    holiday,
    in_days,
    industry,
)

__all__ = [
    "DEFAULT_PASSWORD",
    "EventFactory",
    "MeetingFactory",
    "MeetingRequestFactory",
    "MembershipFactory",
    "NeedFactory",
    "OrganizationFactory",
    "OutcomeFactory",
    "ProviderFactory",
    "RegistrationFactory",
    "SeasonFactory",
    "SolutionFactory",
    "StaffFactory",
    "UserFactory",
    "VenueFactory",
    "active_run",
    "add_match",
    "attend",
    "attended_meeting",
    "holiday",
    "in_days",
    "industry",
    "make_uscc",
    "member_of",
]
