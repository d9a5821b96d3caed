"""Online and hybrid meetings: a checked video-conference link in the schedule, emails and .ics."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from icalendar import Calendar

from core.errors import NotAllowedError
from core.models import AuditEntry
from core.validators import validate_video_url
from events.ics import ics_for
from events.models import Event
from events.services import online
from tests.factories import (
    EventFactory,
    MeetingFactory,
    MeetingRequestFactory,
    OrganizationFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

LINK = "https://meeting.example.com/j/8812345"


@pytest.fixture
def meeting():
    event = EventFactory(short=True, status=Event.Status.SCHEDULED)
    return MeetingFactory(request=MeetingRequestFactory(event=event), slot=1, table=0)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "http://meeting.example.com/j/1",
        "https://user:secret@meeting.example.com/j/1",
        "data:text/html,hi",
        "meeting.example.com/j/1",
    ],
)
def test_only_plain_https_links_are_accepted(url):
    with pytest.raises(ValidationError):
        validate_video_url(url)


def test_either_side_sets_the_link_and_it_is_logged(meeting):
    provider_user = member_of(meeting.provider)

    online.set_video_link(meeting=meeting, url=LINK, by=provider_user)
    online.set_video_link(meeting=meeting, url="", by=member_of(meeting.enterprise))

    actions = list(
        AuditEntry.objects.filter(action__startswith="meeting.video_link")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["meeting.video_link_set", "meeting.video_link_removed"]
    with pytest.raises(NotAllowedError):
        online.set_video_link(meeting=meeting, url=LINK, by=member_of(OrganizationFactory()))


def test_ics_carries_the_link_as_location_url_and_description(meeting):
    online.set_video_link(meeting=meeting, url=LINK, by=member_of(meeting.enterprise))
    meeting.refresh_from_db()

    calendar = Calendar.from_ical(ics_for(meeting.enterprise, [meeting]))
    vevent = next(c for c in calendar.walk() if c.name == "VEVENT")

    assert str(vevent["URL"]) == LINK
    assert LINK in str(vevent["LOCATION"])
    assert LINK in str(vevent["DESCRIPTION"])


def test_schedule_page_and_emails_show_the_link(client, meeting):
    user = member_of(meeting.enterprise)
    client.force_login(user)

    response = client.post(reverse("meeting-video-link", args=[meeting.pk]), {"video_url": LINK})
    bad = client.post(
        reverse("meeting-video-link", args=[meeting.pk]), {"video_url": "javascript:x"}
    )
    meeting.refresh_from_db()
    meeting.time_label, meeting.counterpart = "13:50", meeting.provider
    text = render_to_string("emails/event_schedule_meetings.txt", {"meetings": [meeting]})
    html = render_to_string("emails/event_schedule_meetings.html", {"meetings": [meeting]})

    assert (response.status_code, bad.status_code, meeting.video_url) == (302, 302, LINK)
    assert LINK in text
    assert f'href="{LINK}"' in html
    page = client.get(reverse("event-detail", args=[meeting.event_id])).content.decode()
    assert f'href="{LINK}"' in page
