"""Calendar feeds are personal: they stop with the membership and can be rotated."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEntry, Membership
from core.services import accounts
from events.models import CalendarFeed
from events.services import feeds
from tests.factories import (
    MeetingFactory,
    MeetingRequestFactory,
    MembershipFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    return MeetingFactory(request=MeetingRequestFactory())


@pytest.fixture
def owner(meeting):
    return member_of(meeting.enterprise)


@pytest.fixture
def colleague(meeting):
    return MembershipFactory(organization=meeting.enterprise, role=Membership.Role.MEMBER).user


def _feed_of(user, meeting) -> CalendarFeed:
    return feeds.calendar_feed_for(user=user, organization=meeting.enterprise)


def test_each_member_has_their_own_feed(owner, colleague, meeting):
    mine, theirs = _feed_of(owner, meeting), _feed_of(colleague, meeting)

    assert mine.token != theirs.token
    assert (mine.user, theirs.user) == (owner, colleague)


def test_a_removed_member_can_no_longer_read_the_feed(client, owner, colleague, meeting):
    feed = _feed_of(colleague, meeting)
    url = reverse("calendar-feed", args=[feed.token])
    assert client.get(url).status_code == 200

    accounts.remove_member(by=owner, membership=colleague.memberships.get())

    response = client.get(url)
    assert response.status_code == 404
    assert b"VEVENT" not in response.content
    assert CalendarFeed.objects.filter(user=colleague).count() == 0
    assert AuditEntry.objects.filter(action="calendar_feed.drop").count() == 1


def test_a_feed_whose_membership_ended_otherwise_answers_gone(client, colleague, meeting):
    feed = _feed_of(colleague, meeting)
    # Ended behind the services' back (a raw update): the feed view checks for itself.
    Membership.objects.filter(user=colleague).update(status=Membership.Status.PENDING)

    response = client.get(reverse("calendar-feed", args=[feed.token]))

    assert response.status_code == 410
    assert b"BEGIN:VCALENDAR" not in response.content


def test_a_deactivated_account_can_no_longer_read_the_feed(client, colleague, meeting):
    feed = _feed_of(colleague, meeting)
    colleague.is_active = False
    colleague.save()

    response = client.get(reverse("calendar-feed", args=[feed.token]))

    assert response.status_code == 410


def test_a_feed_of_another_organization_of_the_same_person_is_not_affected(
    client, owner, colleague, meeting
):
    other = MembershipFactory(user=colleague, organization=meeting.provider)
    kept = feeds.calendar_feed_for(user=colleague, organization=other.organization)

    accounts.remove_member(
        by=owner, membership=colleague.memberships.get(organization=meeting.enterprise)
    )

    assert client.get(reverse("calendar-feed", args=[kept.token])).status_code == 200


def test_rotating_replaces_the_link_and_kills_the_old_one(client, owner, meeting):
    old = _feed_of(owner, meeting).token
    client.force_login(owner)

    response = client.post(reverse("calendar-rotate"))

    new = CalendarFeed.objects.get(user=owner).token
    assert response.status_code == 302
    assert new != old
    assert client.get(reverse("calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar-feed", args=[new])).status_code == 200
    assert AuditEntry.objects.filter(action="calendar_feed.rotate").count() == 1


def test_the_account_page_shows_my_feed_and_the_rotate_button(client, owner, meeting):
    feed = _feed_of(owner, meeting)
    client.force_login(owner)

    body = client.get(reverse("profile")).content.decode()

    assert reverse("calendar-feed", args=[feed.token]) in body
    assert reverse("calendar-rotate") in body


def test_the_account_page_offers_a_link_to_a_member_without_one(client, owner):
    client.force_login(owner)

    body = client.get(reverse("profile")).content.decode()

    assert reverse("calendar-link") in body
    assert reverse("calendar-rotate") not in body
