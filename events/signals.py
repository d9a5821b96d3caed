"""How events answers other apps' signals (connected in `EventsConfig.ready()`)."""

from __future__ import annotations

from core.models import Membership, User
from events.models import Event, Meeting, Outcome
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


def outcomes_of_pairs(sender, *, need_ids, **kwargs) -> dict:
    """matchmaking.signals.outcomes_requested: what came of each pair's meetings.

    A held meeting counts as "met", plus the next steps and ratings either side
    reported at either stage; the pair is the need and solution of the meeting's request.
    """
    found: dict[tuple[int, int], tuple[list[str], list[int]]] = {}
    meetings = Meeting.objects.filter(
        status=Meeting.Status.HELD, request__need_id__in=list(need_ids)
    ).exclude(request__solution=None)
    for need_id, solution_id in meetings.values_list("request__need_id", "request__solution_id"):
        found.setdefault((need_id, solution_id), ([], []))[0].append("met")
    outcomes = Outcome.objects.filter(meeting__in=meetings).values_list(
        "meeting__request__need_id", "meeting__request__solution_id", "next_step", "rating"
    )
    for need_id, solution_id, step, rating in outcomes:
        signals, ratings = found.setdefault((need_id, solution_id), ([], []))
        if step and step != Outcome.NextStep.NONE:
            signals.append(str(step))
        if rating:
            ratings.append(rating)
    return found
