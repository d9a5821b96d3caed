"""How events answers other apps' signals (connected in `EventsConfig.ready()`)."""

from __future__ import annotations

from core.models import Membership, User
from events.models import Event
from events.services import demo, feeds, requests
from matchmaking.models import Interest


def meet_at_shared_events(sender, *, interest: Interest, **kwargs) -> None:
    """matchmaking.signals.introduction_accepted: the pair meets at every event both attend."""
    requests.on_introduction_accepted(interest)


def cancel_introduction_requests(sender, *, interest: Interest, **kwargs) -> None:
    """matchmaking.signals.introduction_withdrawn: drop the introduction's meeting requests."""
    requests.on_introduction_withdrawn(interest)


def seed_demo_events(sender, *, staff: User, **kwargs) -> Event | None:
    """matchmaking.signals.demo_catalog_ready: a planned season with a shared event."""
    return demo.seed_events(staff=staff)


def drop_calendar_feeds(sender, *, instance: Membership, **kwargs) -> None:
    """post_delete of core's Membership: the person's feeds of that organization go."""
    feeds.drop_feeds_of_membership(
        user_id=instance.user_id, organization_id=instance.organization_id
    )
