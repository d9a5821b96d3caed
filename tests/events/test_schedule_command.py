"""python manage.py schedule_meetings EVENT_ID [--wait]."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from events.models import Event, Meeting
from tests.factories import (
    EventFactory,
    MeetingRequestFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("schedule_meetings", *args, stdout=out)
    return out.getvalue()


def test_schedule_meetings_wait_builds_here_and_prints_the_report():
    event = EventFactory(short=True, status=Event.Status.REGISTRATION_CLOSED)
    MeetingRequestFactory(event=event)
    enterprise = RegistrationFactory(event=event).organization
    for _ in range(7):
        MeetingRequestFactory(event=event, enterprise=enterprise)

    output = run(str(event.pk), "--wait")

    assert Meeting.objects.filter(event=event).count() == 7
    assert "7 of 8 accepted requests scheduled in 6 slots × 4 tables" in output
    assert f"{enterprise.name} has 7 accepted meetings but only 6 free time slots." in output


def test_schedule_meetings_queues_the_job(run_on_commit):
    event = EventFactory(short=True, status=Event.Status.REGISTRATION_CLOSED)
    MeetingRequestFactory(event=event)

    with run_on_commit():
        output = run(str(event.pk))

    event.refresh_from_db()
    assert "queued" in output
    assert (event.schedule_status, event.meetings.count()) == ("built", 1)


def test_schedule_meetings_refuses_a_finished_event():
    event = EventFactory(short=True, status=Event.Status.FINISHED)

    with pytest.raises(CommandError):
        run(str(event.pk), "--wait")
    with pytest.raises(CommandError):
        run(str(event.pk))


def test_schedule_meetings_of_an_unknown_event():
    with pytest.raises(CommandError, match="no event"):
        run("999999")
