"""Personal calendar feeds: a private .ics URL per person and organization.

A feed shows the organization's published meetings (and the events it attends) to one
of its members. It answers only while that person is an active member of the
organization with an active account: a removed colleague's link goes dead at once,
and the feed row is dropped with the membership (events/signals.py). Its owner can
rotate it — a new token, the old URL dead — on their account page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.models import Membership, Organization, User
from events.models import CalendarFeed, Event, Meeting, Registration, new_token
from events.selectors.schedules import meetings_of


def calendar_feed_for(*, user: User, organization: Organization) -> CalendarFeed:
    """The person's feed of the organization's schedule, made on first use."""
    feed = CalendarFeed.objects.filter(user=user, organization=organization).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            feed = CalendarFeed.objects.create(user=user, organization=organization)
            audit.record(user, "calendar_feed.create", feed, organization=organization.pk)
            return feed
    except IntegrityError:  # made by a parallel request in the meantime
        return CalendarFeed.objects.get(user=user, organization=organization)


@transaction.atomic
def rotate_calendar_feed(*, user: User, organization: Organization) -> CalendarFeed:
    """Give the person's feed a new token: the old URL stops working at once."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user, organization=organization)
    feed = feed.first()
    if feed is None:
        return calendar_feed_for(user=user, organization=organization)
    feed.token = new_token()
    feed.rotated_at = timezone.now()
    feed.save(update_fields=["token", "rotated_at"])
    audit.record(user, "calendar_feed.rotate", feed, organization=organization.pk)
    return feed


def live_feed(token: str) -> CalendarFeed | None:
    """The feed with this token if its owner may still read it, else None."""
    return (
        CalendarFeed.objects.select_related("organization")
        .filter(
            token=token,
            user__is_active=True,
            user__memberships__organization=F("organization"),
            user__memberships__status=Membership.Status.ACTIVE,
        )
        .first()
    )


def feed_url(feed: CalendarFeed) -> str:
    return settings.SITE_URL + reverse("calendar-feed", args=[feed.token])


@transaction.atomic
def drop_feeds_of_membership(*, user_id: int, organization_id: int) -> int:
    """A membership ended: the person's feeds of that organization go."""
    feeds = list(CalendarFeed.objects.filter(user_id=user_id, organization_id=organization_id))
    for feed in feeds:
        audit.record(None, "calendar_feed.drop", feed, reason="membership_ended")
        feed.delete()
    return len(feeds)


def feed_items(organization: Organization) -> list[Event | Meeting]:
    """What the subscription feed holds: published meetings, and the events the
    organization attends where it has none (three queries)."""
    meetings = list(meetings_of(organization.pk))
    with_meetings = {m.event_id for m in meetings}
    events = (
        Event.objects.visible()
        .filter(
            registrations__organization=organization,
            registrations__status__in=Registration.ATTENDING,
        )
        .exclude(pk__in=with_meetings)
        .select_related("venue")
    )
    return [*meetings, *events]


def feed_of(*, user: User, organization: Organization) -> CalendarFeed | None:
    """The person's feed of the organization's schedule, if they made one."""
    return CalendarFeed.objects.filter(user=user, organization=organization).first()


def feed_exists(token: str) -> bool:
    """Whether any feed has this token (a dead one answers 410, an unknown one 404)."""
    return CalendarFeed.objects.filter(token=token).exists()
