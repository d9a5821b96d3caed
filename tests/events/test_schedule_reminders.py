"""Reminders before an event, the feedback request after it and the 90-day follow-up."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from celery import current_app
from django.core import mail
from django.utils import timezone

from events.models import Event, Registration
from events.services import notifications as services
from events.tasks import schedule as tasks
from tests.factories import (
    EventFactory,
    MeetingFactory,
    MeetingRequestFactory,
    RegistrationFactory,
    member_of,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVENT_START = dt.datetime(2027, 3, 10, 13, 30, tzinfo=SHANGHAI)


@pytest.fixture
def event():
    return EventFactory(short=True, status=Event.Status.SCHEDULED)


@pytest.fixture
def meeting(event):
    """A published meeting in the event's first slot; a member on each side."""
    meeting = MeetingFactory(request=MeetingRequestFactory(event=event), slot=0)
    member_of(meeting.enterprise, email="ent@example.com")
    member_of(meeting.provider, email="prov@example.com", language="en")
    return meeting


def recipients() -> list[str]:
    return sorted(to for m in mail.outbox for to in m.to)


def test_periodic_tasks_are_registered_under_the_agreed_names():
    names = {
        "events.schedule_meetings",
        "events.expire_meeting_requests",
        "events.send_reminders",
        "events.send_feedback_requests",
        "events.send_followups",
    }

    assert names <= set(current_app.tasks)


def test_the_24_hour_reminder_goes_out_once(event, meeting, run_on_commit):
    now = EVENT_START - dt.timedelta(hours=20)

    with run_on_commit():
        sent = services.send_reminders(now=now)
    with run_on_commit():
        again = services.send_reminders(now=now + dt.timedelta(minutes=5))

    event.refresh_from_db()
    assert (sent, again) == (2, 0)
    assert event.reminded_24h_at == now
    assert event.reminded_1h_at is None
    assert recipients() == ["ent@example.com", "prov@example.com"]
    english = next(m for m in mail.outbox if m.to == ["prov@example.com"])
    assert english.subject.endswith(f"Tomorrow: {event.title_en}")
    assert "13:30–13:50" in english.body


def test_the_1_hour_reminder_follows(event, meeting, run_on_commit):
    services.send_reminders(now=EVENT_START - dt.timedelta(hours=20))
    mail.outbox.clear()

    with run_on_commit():
        sent = services.send_reminders(now=EVENT_START - dt.timedelta(minutes=50))

    event.refresh_from_db()
    assert (sent, event.reminded_1h_at is not None) == (2, True)
    assert next(m for m in mail.outbox if m.to == ["prov@example.com"]).subject.endswith(
        f"In one hour: {event.title_en}"
    )


def test_no_reminder_more_than_a_day_before(event, meeting):
    assert services.send_reminders(now=EVENT_START - dt.timedelta(hours=30)) == 0


def test_reminders_count_from_the_first_meeting(event):
    MeetingFactory(request=MeetingRequestFactory(event=event), slot=3)  # 14:30
    first_meeting = EVENT_START + dt.timedelta(minutes=60)

    assert services.send_reminders(now=first_meeting - dt.timedelta(minutes=61)) == 0
    assert services.send_reminders(now=first_meeting - dt.timedelta(minutes=59)) == 0
    event.refresh_from_db()
    assert event.reminded_1h_at is not None


def test_reminders_skip_organizations_that_declined(event, meeting):
    declined = RegistrationFactory(event=event, status=Registration.Status.DECLINED)
    member_of(declined.organization, email="gone@example.com")

    services.send_reminders(now=EVENT_START - dt.timedelta(hours=2))

    assert "gone@example.com" not in recipients()


def test_feedback_requests_go_to_organizations_that_met_once(event, meeting, run_on_commit):
    RegistrationFactory(event=event)  # attended, no meeting: nothing to rate
    yesterday = timezone.localdate() - dt.timedelta(days=1)  # over by the clock too
    Event.objects.filter(pk=event.pk).update(status=Event.Status.FINISHED, date=yesterday)

    with run_on_commit():
        assert tasks.send_event_feedback_requests() == 2
    with run_on_commit():
        assert tasks.send_event_feedback_requests() == 0

    assert recipients() == ["ent@example.com", "prov@example.com"]
    assert f"/events/{event.pk}/feedback/" in mail.outbox[0].body
    event.refresh_from_db()
    assert event.feedback_requested_at is not None


def test_no_feedback_request_before_the_event_finishes(event, meeting):
    assert tasks.send_event_feedback_requests() == 0


def test_followups_go_out_about_ninety_days_later(event, meeting, run_on_commit):
    Event.objects.filter(pk=event.pk).update(status=Event.Status.FINISHED)

    assert services.send_followups(now=EVENT_START + dt.timedelta(days=60)) == 0
    with run_on_commit():
        assert services.send_followups(now=EVENT_START + dt.timedelta(days=91)) == 2
    assert services.send_followups(now=EVENT_START + dt.timedelta(days=92)) == 0

    assert f"/events/{event.pk}/feedback/?stage=followup" in mail.outbox[0].body
