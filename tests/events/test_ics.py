"""Calendar files: what a calendar app reads back from an organization's schedule."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from events.ics import ics_for
from events.models import CalendarFeed, Event, Meeting
from events.services import feeds
from tests.factories import (
    EventFactory,
    MeetingFactory,
    MeetingRequestFactory,
    NeedFactory,
    RegistrationFactory,
    SolutionFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def meeting():
    """Slot 2 (14:10–14:30) at table 3 (index 2) of a 13:30 event, with its need and solution."""
    event = EventFactory(short=True, status=Event.Status.SCHEDULED)
    request = MeetingRequestFactory(event=event)
    request.need = NeedFactory(organization=request.enterprise, title="冲压件表面缺陷检测")
    request.solution = SolutionFactory(organization=request.provider, title="视觉质检大模型")
    request.save()
    return MeetingFactory(request=request, slot=2, table=2)


def parse(content: bytes) -> Calendar:
    return Calendar.from_ical(content)


def test_ics_for_has_one_vevent_per_meeting_in_shanghai_time(meeting):
    with translation.override("en"):
        calendar = parse(ics_for(meeting.enterprise, [meeting]))

    [vevent] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert vevent.decoded("DTSTART") == dt.datetime(2027, 3, 10, 14, 10, tzinfo=SHANGHAI)
    assert vevent.decoded("DTEND") == dt.datetime(2027, 3, 10, 14, 30, tzinfo=SHANGHAI)
    assert vevent["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert str(vevent["SUMMARY"]) == f"1:1 meeting with {meeting.provider.name}"
    assert str(vevent["LOCATION"]).endswith("Table 3")
    assert meeting.event.venue.name in str(vevent["LOCATION"])
    description = str(vevent["DESCRIPTION"])
    assert "冲压件表面缺陷检测" in description
    assert "视觉质检大模型" in description


def test_ics_for_names_the_enterprise_in_the_providers_calendar(meeting):
    with translation.override("en"):
        [vevent] = parse(ics_for(meeting.provider, [meeting])).walk("VEVENT")

    assert str(vevent["SUMMARY"]) == f"1:1 meeting with {meeting.enterprise.name}"


def test_ics_uid_stays_the_same_when_the_meeting_moves(meeting):
    before = parse(ics_for(meeting.enterprise, [meeting])).walk("VEVENT")[0]
    Meeting.objects.filter(pk=meeting.pk).update(slot=4)
    meeting.refresh_from_db()

    after = parse(ics_for(meeting.enterprise, [meeting])).walk("VEVENT")[0]

    assert str(after["UID"]) == str(before["UID"])
    assert after.decoded("DTSTART") == dt.datetime(2027, 3, 10, 14, 50, tzinfo=SHANGHAI)
    assert int(after["SEQUENCE"]) >= int(before["SEQUENCE"])


def test_ics_for_leaves_cancelled_meetings_out(meeting):
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    meeting.refresh_from_db()

    assert parse(ics_for(meeting.enterprise, [meeting])).walk("VEVENT") == []


def test_ics_for_an_event_without_meetings_is_the_whole_session():
    event = EventFactory(short=True)
    organization = RegistrationFactory(event=event).organization

    [vevent] = parse(ics_for(organization, [event])).walk("VEVENT")

    assert vevent.decoded("DTSTART") == dt.datetime(2027, 3, 10, 13, 30, tzinfo=SHANGHAI)
    assert vevent.decoded("DTEND") == dt.datetime(2027, 3, 10, 15, 30, tzinfo=SHANGHAI)
    assert str(vevent["SUMMARY"]) == event.title_zh


def test_ics_for_refuses_someone_elses_meeting(meeting):
    stranger = RegistrationFactory(event=meeting.event).organization

    with pytest.raises(ValueError, match="does not involve"):
        ics_for(stranger, [meeting])


def test_calendar_feed_needs_no_login_and_lists_published_meetings(client, meeting):
    MeetingFactory(
        request=MeetingRequestFactory(event=meeting.event, enterprise=meeting.enterprise),
        slot=3,
        published=False,
    )
    feed = feeds.calendar_feed_for(
        user=member_of(meeting.enterprise), organization=meeting.enterprise
    )

    response = client.get(reverse("calendar-feed", args=[feed.token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    uids = [str(v["UID"]) for v in parse(response.content).walk("VEVENT")]
    assert uids == [f"meeting-{meeting.pk}@testserver"]


def test_calendar_feed_lists_attended_events_without_meetings(client):
    event = EventFactory(short=True)
    organization = RegistrationFactory(event=event).organization
    EventFactory(short=True, status=Event.Status.DRAFT)
    feed = feeds.calendar_feed_for(user=member_of(organization), organization=organization)

    content = client.get(reverse("calendar-feed", args=[feed.token])).content

    assert [str(v["UID"]) for v in parse(content).walk("VEVENT")] == [
        f"event-{event.pk}@testserver"
    ]


def test_calendar_feed_with_a_wrong_token_is_not_found(client):
    assert client.get(reverse("calendar-feed", args=["not-a-token"])).status_code == 404


def test_calendar_feed_is_made_once_per_person_and_organization(meeting):
    user = member_of(meeting.enterprise)
    first = feeds.calendar_feed_for(user=user, organization=meeting.enterprise)
    second = feeds.calendar_feed_for(user=user, organization=meeting.enterprise)

    assert (first.pk, CalendarFeed.objects.count()) == (second.pk, 1)
    assert len(first.token) >= 32


def test_schedule_download_is_for_members_of_the_organization(client, meeting):
    url = reverse("event-schedule-ics", args=[meeting.event.pk])
    assert client.get(url).status_code == 302  # to the sign-in page

    client.force_login(member_of(RegistrationFactory(event=EventFactory(short=True)).organization))
    assert client.get(url).status_code == 404

    client.force_login(member_of(meeting.enterprise))
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert len(parse(response.content).walk("VEVENT")) == 1
