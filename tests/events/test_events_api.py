"""/api/v1/events/ and /api/v1/meetings/: who sees what, filters, no writes, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from events.models import Event, Meeting
from tests.factories import (
    EventFactory,
    MeetingFactory,
    OrganizationFactory,
    ProviderFactory,
    SeasonFactory,
    StaffFactory,
    industry,
    member_of,
)

pytestmark = pytest.mark.django_db


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_authenticate(user)
    return client


def _ids(response) -> list[int]:
    return [item["id"] for item in response.json()["results"]]


# --- events --------------------------------------------------------------------------


def test_events_anonymous_sees_published_and_later_events():
    visible = [
        EventFactory(scheduled=True, status=status, date=dt.date(2027, 3, day))
        for day, status in enumerate(
            [Event.Status.PUBLISHED, Event.Status.SCHEDULED, Event.Status.FINISHED], start=1
        )
    ]
    EventFactory(scheduled=True, status=Event.Status.DRAFT)
    EventFactory(scheduled=True, status=Event.Status.CANCELLED)

    response = api().get(reverse("api:event-list"))

    assert response.status_code == 200
    assert _ids(response) == [event.pk for event in visible]


def test_events_staff_also_sees_drafts():
    draft = EventFactory(scheduled=True, status=Event.Status.DRAFT)

    response = api(StaffFactory()).get(reverse("api:event-list"))

    assert _ids(response) == [draft.pk]


def test_event_retrieve_draft_is_404_for_participants():
    draft = EventFactory(scheduled=True, status=Event.Status.DRAFT)

    response = api(member_of(OrganizationFactory())).get(
        reverse("api:event-detail", args=[draft.pk])
    )

    assert response.status_code == 404


def test_event_representation():
    event = EventFactory(scheduled=True, status=Event.Status.PUBLISHED)

    data = api().get(reverse("api:event-detail", args=[event.pk])).json()

    assert {key: data[key] for key in ("domain", "date", "starts_at", "ends_at", "slots")} == {
        "domain": "manufacturing",
        "date": "2027-03-10",
        "starts_at": "2027-03-10T13:30:00+08:00",
        "ends_at": "2027-03-10T17:30:00+08:00",
        "slots": 12,
    }
    assert data["venue"]["name"] == event.venue.name
    assert data["status"] == "published"


def test_events_filter_by_season_domain_status_and_dates():
    season = SeasonFactory()
    healthcare = industry("healthcare")
    wanted = EventFactory(
        scheduled=True,
        season=season,
        domain=healthcare,
        status=Event.Status.PUBLISHED,
        date=dt.date(2027, 4, 1),
    )
    EventFactory(
        scheduled=True, season=season, status=Event.Status.PUBLISHED, date=dt.date(2027, 4, 1)
    )
    EventFactory(
        scheduled=True,
        season=season,
        domain=healthcare,
        status=Event.Status.FINISHED,
        date=dt.date(2027, 4, 1),
    )
    EventFactory(
        scheduled=True,
        season=season,
        domain=healthcare,
        status=Event.Status.PUBLISHED,
        date=dt.date(2027, 6, 1),
    )
    EventFactory(
        scheduled=True, domain=healthcare, status=Event.Status.PUBLISHED, date=dt.date(2027, 4, 1)
    )

    response = api().get(
        reverse("api:event-list"),
        {
            "season": season.pk,
            "domain": "healthcare",
            "status": "published",
            "date_from": "2027-03-01",
            "date_to": "2027-04-30",
        },
    )

    assert _ids(response) == [wanted.pk]


def test_events_refuse_writes_even_for_staff():
    client = api(StaffFactory())

    response = client.post(reverse("api:event-list"), {"title_zh": "新活动"})

    assert response.status_code == 405


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(("who", "queries"), [("anonymous", 2), ("staff", 2)])
def test_event_list_query_count(django_assert_num_queries, who, queries, n):
    EventFactory.create_batch(n, scheduled=True, status=Event.Status.PUBLISHED)
    client = api(StaffFactory() if who == "staff" else None)

    # count, page (with domain and venue)
    with django_assert_num_queries(queries):
        response = client.get(reverse("api:event-list"))

    assert len(response.json()["results"]) == n


# --- meetings ------------------------------------------------------------------------


@pytest.fixture
def pair():
    """An enterprise and a provider with a published meeting, plus meetings of others."""
    enterprise = OrganizationFactory()
    provider = ProviderFactory()
    ours = MeetingFactory(enterprise=enterprise, provider=provider)
    MeetingFactory(provider=provider, published=False)  # not yet sent to participants
    MeetingFactory()  # someone else's
    return enterprise, provider, ours


def test_meetings_participant_sees_own_published_meetings(pair):
    enterprise, _provider, ours = pair

    response = api(member_of(enterprise)).get(reverse("api:meeting-list"))

    assert _ids(response) == [ours.pk]


def test_meetings_provider_sees_them_from_its_side(pair):
    _enterprise, provider, ours = pair

    response = api(member_of(provider)).get(reverse("api:meeting-list"))

    assert _ids(response) == [ours.pk]


def test_meetings_staff_sees_all(pair):
    response = api(StaffFactory()).get(reverse("api:meeting-list"))

    assert len(_ids(response)) == 3


def test_meetings_anonymous_refused(pair):
    response = api().get(reverse("api:meeting-list"))

    assert response.status_code in (401, 403)


def test_meeting_of_another_organization_is_404(pair):
    _enterprise, _provider, ours = pair
    outsider = member_of(OrganizationFactory())

    response = api(outsider).get(reverse("api:meeting-detail", args=[ours.pk]))

    assert response.status_code == 404


def test_meeting_representation(pair):
    enterprise, provider, ours = pair

    data = api(member_of(enterprise)).get(reverse("api:meeting-detail", args=[ours.pk])).json()

    assert data == {
        "id": ours.pk,
        "event": ours.event_id,
        "event_title": ours.event.title_zh,
        "slot": ours.slot,
        "starts_at": ours.starts_at.isoformat(),
        "ends_at": ours.ends_at.isoformat(),
        "table": ours.table + 1,
        "enterprise": {"id": enterprise.pk, "name": enterprise.name, "name_en": ""},
        "provider": {"id": provider.pk, "name": provider.name, "name_en": ""},
        "status": "scheduled",
        "source": "request",
        "published": True,
        # the meeting's video link (shown to its two parties), null while none is set
        "video_url": ours.video_url or None,
    }


def test_meetings_filter_by_event_and_organization():
    event = EventFactory(scheduled=True)
    wanted = MeetingFactory(event=event)
    MeetingFactory(event=event)
    MeetingFactory(provider=wanted.provider)

    response = api(StaffFactory()).get(
        reverse("api:meeting-list"), {"event": event.pk, "organization": wanted.provider_id}
    )

    assert _ids(response) == [wanted.pk]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_meetings_refuse_writes(pair, method):
    _enterprise, _provider, ours = pair
    client = api(StaffFactory())
    url = (
        reverse("api:meeting-list")
        if method == "post"
        else reverse("api:meeting-detail", args=[ours.pk])
    )

    response = getattr(client, method)(url, {"status": Meeting.Status.HELD})

    assert response.status_code == 405
    ours.refresh_from_db()
    assert ours.status == Meeting.Status.SCHEDULED


@pytest.mark.parametrize("n", [1, 3])
@pytest.mark.parametrize(("who", "queries"), [("participant", 2), ("staff", 2)])
def test_meeting_list_query_count(django_assert_num_queries, who, queries, n):
    enterprise = OrganizationFactory()
    MeetingFactory.create_batch(n, enterprise=enterprise)
    client = api(StaffFactory() if who == "staff" else member_of(enterprise))

    # count, page (with event and both organizations; the memberships are a subquery)
    with django_assert_num_queries(queries):
        response = client.get(reverse("api:meeting-list"))

    assert len(response.json()["results"]) == n
