"""Event day, guarded: what may not happen before the event's day (or its start), the
staff override, feedback only after the event really ended, and undoing today's
irreversible actions (events.services.day, events.services.undo)."""

from __future__ import annotations

import datetime as dt
import html
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from core.errors import DomainError, NotAllowedError
from core.models import AuditEntry
from events.models import Event, Meeting, Registration
from events.services import day, notifications, running, schedule, undo
from tests.factories import (
    EventFactory,
    MeetingFactory,
    OutcomeFactory,
    RegistrationFactory,
    StaffFactory,
    UserFactory,
    attended_meeting,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
RegStatus = Registration.Status
EVENT_DAY = dt.date(2027, 3, 10)  # the factories' fixed day; starts 13:30, ends 17:30


def at(monkeypatch, moment: dt.datetime) -> dt.datetime:
    """Stand the event-day clock at `moment`."""
    monkeypatch.setattr(day, "now", lambda: moment)
    return moment


def shanghai(date: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def next_month():
    """An event dated next month, its schedule sent (by the real clock)."""
    return EventFactory(scheduled=True, date=day.local_date() + dt.timedelta(days=35))


# --- before the event's day ----------------------------------------------------------


def test_an_event_next_month_cannot_be_started_or_finished(staff, next_month):
    with pytest.raises(day.NotEventDayError) as refused:
        running.start_event(next_month, by=staff)
    assert "Not yet" in str(refused.value.message)
    assert next_month.date.strftime("%Y-%m-%d") in str(refused.value.message)

    Event.objects.filter(pk=next_month.pk).update(status=Event.Status.RUNNING)
    with pytest.raises(day.NotEventDayError):
        running.finish_event(next_month, by=staff)
    next_month.refresh_from_db()
    assert next_month.status == Event.Status.RUNNING
    assert not AuditEntry.objects.filter(action__in=["event.running", "event.finished"]).exists()


def test_no_shows_and_check_ins_are_refused_before_the_event_day(staff, next_month):
    registration = RegistrationFactory(event=next_month)
    with pytest.raises(day.NotEventDayError):
        running.check_in(registration=registration, by=staff)

    Event.objects.filter(pk=next_month.pk).update(status=Event.Status.RUNNING)
    with pytest.raises(day.NotEventDayError):
        running.mark_no_show(registration=registration, by=staff)
    with pytest.raises(day.NotEventDayError):
        running.mark_no_shows(next_month, by=staff)
    registration.refresh_from_db()
    assert registration.status == RegStatus.REGISTERED


def test_staff_override_acts_early_and_is_audited(staff, next_month):
    running.start_event(next_month, by=staff, override=True)

    next_month.refresh_from_db()
    assert next_month.status == Event.Status.RUNNING
    overridden = AuditEntry.objects.get(action="event.day_overridden")
    assert (overridden.actor, overridden.details["step"]) == (staff, day.START)
    assert AuditEntry.objects.get(action="event.running").details["early"] is True


def test_only_staff_may_override(next_month):
    with pytest.raises(NotAllowedError):
        running.start_event(next_month, by=UserFactory(), override=True)


def test_no_show_waits_for_the_start_on_the_event_day(staff, monkeypatch):
    event = EventFactory(scheduled=True, status=Event.Status.RUNNING)  # on EVENT_DAY
    registration = RegistrationFactory(event=event)

    at(monkeypatch, shanghai(EVENT_DAY, 9))
    running.check_in(registration=RegistrationFactory(event=event), by=staff)  # doors open
    with pytest.raises(day.NotEventDayError) as refused:
        running.mark_no_show(registration=registration, by=staff)
    assert "13:30" in str(refused.value.message)

    at(monkeypatch, shanghai(EVENT_DAY, 13, 31))
    running.mark_no_show(registration=registration, by=staff)
    registration.refresh_from_db()
    assert registration.status == RegStatus.NO_SHOW


def test_the_event_day_is_the_date_in_beijing(staff, monkeypatch):
    event = EventFactory(scheduled=True)
    # 23:00 in Beijing the evening before: 15:00 UTC.
    at(monkeypatch, dt.datetime(2027, 3, 9, 15, 0, tzinfo=dt.UTC))
    assert day.refusal(event, day.START) is not None
    # 01:00 in Beijing on the day, still the 9th in UTC.
    at(monkeypatch, dt.datetime(2027, 3, 9, 17, 0, tzinfo=dt.UTC))
    assert day.refusal(event, day.START) is None


# --- feedback only after the event really ended --------------------------------------


def test_feedback_waits_for_the_end_of_an_event_finished_early(staff, monkeypatch):
    event = EventFactory(scheduled=True, status=Event.Status.RUNNING)
    attended_meeting(event)
    at(monkeypatch, shanghai(EVENT_DAY, 15))
    running.finish_event(event, by=staff)

    assert notifications.send_feedback_requests(now=shanghai(EVENT_DAY, 16)) == 0
    event.refresh_from_db()
    assert event.feedback_requested_at is None
    assert event.pk in set(
        Event.objects.filter(notifications.ended_by(shanghai(EVENT_DAY, 17, 30))).values_list(
            "pk", flat=True
        )
    )


# --- undo, the same day --------------------------------------------------------------


def test_undo_start_the_same_day_puts_the_schedule_back_and_keeps_check_ins(staff, monkeypatch):
    event = EventFactory(scheduled=True)
    meeting = attended_meeting(event)  # both sides checked in
    at(monkeypatch, shanghai(EVENT_DAY, 13, 25))
    running.start_event(event, by=staff)
    event.refresh_from_db()
    assert event.started_at == shanghai(EVENT_DAY, 13, 25)

    undo.undo_start(event, by=staff)

    event.refresh_from_db()
    meeting.refresh_from_db()
    assert (event.status, event.started_at) == (Event.Status.SCHEDULED, None)
    assert meeting.status == Meeting.Status.SCHEDULED
    assert set(event.registrations.values_list("status", flat=True)) == {RegStatus.CHECKED_IN}
    assert AuditEntry.objects.filter(action="event.start_undone", actor=staff).exists()
    running.start_event(event, by=staff)  # and it can be started again
    event.refresh_from_db()
    assert event.status == Event.Status.RUNNING


def test_undo_start_is_refused_the_next_day_after_no_shows_and_when_not_under_way(
    staff, monkeypatch
):
    event = EventFactory(scheduled=True)
    RegistrationFactory(event=event)
    with pytest.raises(DomainError, match="not under way"):
        undo.undo_start(event, by=staff)
    at(monkeypatch, shanghai(EVENT_DAY, 13, 25))
    running.start_event(event, by=staff)

    at(monkeypatch, shanghai(EVENT_DAY, 14))
    running.mark_no_shows(event, by=staff)
    with pytest.raises(DomainError, match="no-shows first"):
        undo.undo_start(event, by=staff)
    undo.undo_no_shows(event, by=staff)

    at(monkeypatch, shanghai(EVENT_DAY + dt.timedelta(days=1), 9))
    with pytest.raises(DomainError, match="today"):
        undo.undo_start(event, by=staff)
    event.refresh_from_db()
    assert event.status == Event.Status.RUNNING


def test_schedules_cannot_be_sent_again_once_the_event_is_under_way(staff):
    event = EventFactory(
        scheduled=True, status=Event.Status.RUNNING, schedule_status=Event.ScheduleStatus.BUILT
    )
    with pytest.raises(DomainError):
        schedule.send_schedules(event, by=staff)
    event.refresh_from_db()
    assert event.status == Event.Status.RUNNING


def test_undo_finish_the_same_day_reopens_meetings_nobody_reported_on(staff, monkeypatch):
    event = EventFactory(scheduled=True, status=Event.Status.RUNNING)
    unreported = attended_meeting(event)
    reported = attended_meeting(event)
    at(monkeypatch, shanghai(EVENT_DAY, 17, 40))
    running.finish_event(event, by=staff)
    OutcomeFactory(meeting=reported)

    undo.undo_finish(event, by=staff)

    event.refresh_from_db()
    unreported.refresh_from_db()
    reported.refresh_from_db()
    assert (event.status, event.finished_at) == (Event.Status.RUNNING, None)
    assert (unreported.status, reported.status) == (Meeting.Status.SCHEDULED, Meeting.Status.HELD)
    assert AuditEntry.objects.filter(action="event.finish_undone", actor=staff).exists()


def test_undo_finish_is_refused_the_next_day_and_after_feedback(staff, monkeypatch):
    event = EventFactory(scheduled=True, status=Event.Status.RUNNING)
    at(monkeypatch, shanghai(EVENT_DAY, 17, 40))
    running.finish_event(event, by=staff)

    at(monkeypatch, shanghai(EVENT_DAY + dt.timedelta(days=1), 9))
    with pytest.raises(DomainError, match="today"):
        undo.undo_finish(event, by=staff)

    at(monkeypatch, shanghai(EVENT_DAY, 23))
    Event.objects.filter(pk=event.pk).update(feedback_requested_at=shanghai(EVENT_DAY, 22))
    with pytest.raises(DomainError, match="feedback"):
        undo.undo_finish(event, by=staff)


def test_undo_no_shows_the_same_day_puts_meetings_back_on(staff, monkeypatch):
    event = EventFactory(scheduled=True, status=Event.Status.RUNNING)
    meeting = attended_meeting(event, checked_in=False)
    at(monkeypatch, shanghai(EVENT_DAY, 14))
    assert running.mark_no_shows(event, by=staff) == 2
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.NO_SHOW

    assert undo.undo_no_shows(event, by=staff) == 2

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED
    assert set(event.registrations.values_list("status", flat=True)) == {RegStatus.REGISTERED}


def test_undo_no_show_is_refused_the_next_day(staff, monkeypatch):
    registration = RegistrationFactory(event=EventFactory(scheduled=True, status="running"))
    at(monkeypatch, shanghai(EVENT_DAY, 14))
    running.mark_no_show(registration=registration, by=staff)

    at(monkeypatch, shanghai(EVENT_DAY + dt.timedelta(days=1), 8))
    with pytest.raises(DomainError, match="today"):
        undo.undo_no_show(registration=registration, by=staff)


def test_cancel_and_restore_a_meeting_the_same_day(staff, monkeypatch):
    meeting = MeetingFactory()
    at(monkeypatch, shanghai(EVENT_DAY, 10))

    undo.cancel_meeting(meeting=meeting, by=staff)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED

    undo.restore_meeting(meeting=meeting, by=staff)
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancelled_at) == (Meeting.Status.SCHEDULED, None)


def test_restore_refused_when_the_table_was_given_away(staff, monkeypatch):
    meeting = MeetingFactory()
    at(monkeypatch, shanghai(EVENT_DAY, 10))
    undo.cancel_meeting(meeting=meeting, by=staff)
    MeetingFactory(event=meeting.event, slot=meeting.slot, table=meeting.table)

    with pytest.raises(DomainError, match="given to another meeting"):
        undo.restore_meeting(meeting=meeting, by=staff)
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


# --- the pages ask first -------------------------------------------------------------


def _post_action(client, action: str, event: Event, **extra):
    return client.post(
        reverse("admin:events_event_changelist"),
        {"action": action, ACTION_CHECKBOX_NAME: [event.pk], **extra},
        follow=True,
    )


def test_admin_finish_asks_first_and_offers_the_override_before_the_day(client, staff, next_month):
    Event.objects.filter(pk=next_month.pk).update(status=Event.Status.RUNNING)
    client.force_login(staff)

    page = _post_action(client, "finish_selected", next_month)
    assert page.templates[0].name == "admin/events/confirm_action.html"
    assert 'name="override"' in page.content.decode()

    refused = _post_action(client, "finish_selected", next_month, post="yes")
    next_month.refresh_from_db()
    assert next_month.status == Event.Status.RUNNING
    assert any("Not yet" in str(m) for m in refused.context["messages"])

    _post_action(client, "finish_selected", next_month, post="yes", override="on")
    next_month.refresh_from_db()
    assert next_month.status == Event.Status.FINISHED
    assert AuditEntry.objects.filter(action="event.day_overridden", actor=staff).exists()


def test_admin_undo_start_asks_first_and_says_how_to_undo_when_starting(client, staff, monkeypatch):
    event = EventFactory(scheduled=True)
    at(monkeypatch, shanghai(EVENT_DAY, 13))
    client.force_login(staff)

    asked = html.unescape(_post_action(client, "start_selected", event).content.decode())
    assert "Undo today's start" in asked
    _post_action(client, "start_selected", event, post="yes")
    event.refresh_from_db()
    assert event.status == Event.Status.RUNNING

    page = _post_action(client, "undo_start_selected", event)
    assert page.templates[0].name == "admin/events/confirm_action.html"
    event.refresh_from_db()
    assert event.status == Event.Status.RUNNING  # nothing happens before the confirmation
    _post_action(client, "undo_start_selected", event, post="yes")
    event.refresh_from_db()
    assert event.status == Event.Status.SCHEDULED


def test_check_in_page_refuses_before_the_day_unless_confirmed(client, staff, next_month):
    registration = RegistrationFactory(event=next_month)
    client.force_login(staff)
    url = reverse("event-check-in", args=[next_month.pk])

    assert 'id="early-form"' in client.get(url).content.decode()
    client.post(url, {"action": "check_in", "registration": registration.pk})
    registration.refresh_from_db()
    assert registration.status == RegStatus.REGISTERED

    assert 'id="early-banner"' in client.get(url, {"early": "1"}).content.decode()
    response = client.post(
        url, {"action": "check_in", "registration": registration.pk, "override": "1"}
    )
    assert response["Location"].endswith("?early=1")
    registration.refresh_from_db()
    assert registration.status == RegStatus.CHECKED_IN
    assert AuditEntry.objects.filter(action="event.day_overridden").count() == 1
