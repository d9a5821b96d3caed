"""Building, publishing and sending an event's meeting schedule."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from icalendar import Calendar

from core.errors import DomainError, InvalidTransitionError
from events import scheduling
from events.models import Event, Meeting, MeetingRequest, Registration, Unavailability
from events.selectors import schedules as schedule_selectors
from events.services import schedule as services
from matchmaking.models import Interest
from tests.factories import (
    EventFactory,
    MeetingRequestFactory,
    NeedFactory,
    RegistrationFactory,
    SolutionFactory,
    StaffFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    """6 slots of 20 minutes, 4 tables."""
    return EventFactory(short=True, status=Event.Status.REGISTRATION_CLOSED)


def full_grid(event, enterprises: int, providers: int) -> list[MeetingRequest]:
    """Every registered enterprise asked every registered provider, and was accepted."""
    ents = [RegistrationFactory(event=event).organization for _ in range(enterprises)]
    provs = [RegistrationFactory(provider=True, event=event).organization for _ in range(providers)]
    return [
        MeetingRequestFactory(event=event, enterprise=e, provider=p, priority=0.5)
        for e in ents
        for p in provs
    ]


def live(event) -> list[Meeting]:
    return list(event.meetings.exclude(status=Meeting.Status.CANCELLED).order_by("pk"))


def assert_no_double_booking(meetings: list[Meeting]) -> None:
    places = [(m.slot, m.table) for m in meetings]
    enterprises = [(m.slot, m.enterprise_id) for m in meetings]
    providers = [(m.slot, m.provider_id) for m in meetings]
    assert len(set(places)) == len(places)
    assert len(set(enterprises)) == len(enterprises)
    assert len(set(providers)) == len(providers)


def test_run_scheduler_places_every_request_when_konig_allows(event):
    # 4 enterprises × 6 providers: each provider has 4 meetings, each enterprise 6 = the
    # number of slots, and 24 meetings = 6 slots × 4 tables: as tight as it gets.
    requests = full_grid(event, 4, 6)

    report = services.run_scheduler(event.pk)

    meetings = live(event)
    assert (report["scheduled"], report["requests"], report["unscheduled"]) == (24, 24, [])
    assert report["optimal"] is True
    assert sorted(m.request_id for m in meetings) == sorted(r.pk for r in requests)
    assert_no_double_booking(meetings)
    assert all(0 <= m.table < 4 and 0 <= m.slot < 6 for m in meetings)
    event.refresh_from_db()
    assert (event.schedule_status, event.schedule_progress) == ("built", 100)
    assert all(not m.published for m in meetings)


def test_run_scheduler_honours_unavailability(event):
    requests = full_grid(event, 2, 3)
    blocked = Registration.objects.get(event=event, organization=requests[0].enterprise)
    Unavailability.objects.bulk_create(
        [Unavailability(registration=blocked, slot=s) for s in (0, 1, 2)]
    )

    services.run_scheduler(event.pk)

    slots = {m.slot for m in live(event) if m.enterprise_id == blocked.organization_id}
    assert len(slots) == 3
    assert slots.isdisjoint({0, 1, 2})


def test_run_scheduler_explains_each_request_it_leaves_out(event):
    # One enterprise asked 7 providers and got 7 yeses, but the afternoon has 6 slots.
    enterprise = RegistrationFactory(event=event).organization
    for _ in range(7):
        MeetingRequestFactory(
            event=event,
            enterprise=enterprise,
            provider=RegistrationFactory(provider=True, event=event).organization,
        )

    report = services.run_scheduler(event.pk)

    assert report["scheduled"] == 6
    [entry] = report["unscheduled"]
    assert entry["reason"] == scheduling.REASON_ORG_SATURATED
    with translation.override("en"):
        assert schedule_selectors.describe_unscheduled(entry) == (
            f"{enterprise.name} ↔ {entry['provider_name']}: "
            f"{enterprise.name} has 7 accepted meetings but only 6 free time slots."
        )


def test_run_scheduler_reports_requests_of_organizations_no_longer_attending(event):
    request = MeetingRequestFactory(event=event)
    Registration.objects.filter(organization=request.provider).update(
        status=Registration.Status.DECLINED
    )

    report = services.run_scheduler(event.pk)

    assert (report["scheduled"], len(report["unscheduled"])) == (0, 1)
    entry = report["unscheduled"][0]
    assert (entry["reason"], entry["params"]["status"]) == ("not_attending", "declined")
    with translation.override("en"):
        assert schedule_selectors.describe_unscheduled(entry) == (
            f"{request.enterprise.name} ↔ {request.provider.name}: "
            f"{request.provider.name} is not attending the event."
        )


def test_run_scheduler_honours_the_meeting_limit(event):
    requests = full_grid(event, 1, 4)
    Registration.objects.filter(organization=requests[0].enterprise).update(meeting_limit=2)

    report = services.run_scheduler(event.pk)

    assert report["scheduled"] == 2
    assert {e["reason"] for e in report["unscheduled"]} == {scheduling.REASON_ORG_LIMIT}


def test_run_scheduler_schedules_accepted_introductions_too(event):
    enterprise = RegistrationFactory(event=event).organization
    provider = RegistrationFactory(provider=True, event=event).organization
    Interest.objects.create(
        need=NeedFactory(organization=enterprise),
        solution=SolutionFactory(organization=provider),
        initiated_by_side="enterprise",
        status=Interest.Status.ACCEPTED,
        score=0.8,
    )

    report = services.run_scheduler(event.pk)

    assert report["scheduled"] == 1
    assert live(event)[0].source == Meeting.Source.MATCH


def test_rescheduling_keeps_published_meetings_where_they_are(event):
    full_grid(event, 3, 3)
    services.run_scheduler(event.pk)
    Meeting.objects.filter(event=event).update(published=True)
    before = {m.pk: (m.slot, m.table) for m in live(event)}
    # A late change: one more accepted request.
    late = MeetingRequestFactory(event=event)

    report = services.run_scheduler(event.pk)

    after = {m.pk: (m.slot, m.table) for m in live(event)}
    assert {pk: after[pk] for pk in before} == before
    assert (report["kept"], report["created"], report["moved"]) == (9, 1, 0)
    new = Meeting.objects.get(request=late)
    assert new.published is False
    assert_no_double_booking(live(event))


def test_rescheduling_drops_meetings_of_cancelled_requests(event):
    requests = full_grid(event, 2, 2)
    services.run_scheduler(event.pk)
    Meeting.objects.filter(request=requests[0]).update(published=True)
    MeetingRequest.objects.filter(pk__in=[requests[0].pk, requests[1].pk]).update(
        status=MeetingRequest.Status.CANCELLED
    )

    report = services.run_scheduler(event.pk)

    assert (report["cancelled"], report["deleted"]) == (1, 1)
    # The published one stays, cancelled, so participants learn of it; the other is gone.
    assert Meeting.objects.get(request=requests[0]).status == "cancelled"
    assert not Meeting.objects.filter(request=requests[1]).exists()
    assert len(live(event)) == 2


def test_a_moved_meeting_keeps_its_row_so_calendars_update_it(event):
    request = MeetingRequestFactory(event=event)
    services.run_scheduler(event.pk)
    meeting = Meeting.objects.get(request=request)
    Meeting.objects.filter(pk=meeting.pk).update(published=True)
    # Its enterprise can no longer come in that slot.
    registration = Registration.objects.get(event=event, organization=request.enterprise)
    Unavailability.objects.create(registration=registration, slot=meeting.slot)

    services.run_scheduler(event.pk)

    moved = Meeting.objects.get(request=request)
    assert moved.pk == meeting.pk
    assert (moved.slot != meeting.slot, moved.status, moved.published) == (True, "scheduled", False)


def test_build_schedule_queues_the_job_which_builds_it(event, run_on_commit):
    full_grid(event, 2, 2)
    with run_on_commit():
        services.build_schedule(event, by=StaffFactory())

    event.refresh_from_db()
    assert (event.schedule_status, event.schedule_report["scheduled"]) == ("built", 4)
    assert len(live(event)) == 4


def test_build_schedule_refuses_an_event_under_way():
    event = EventFactory(short=True, status=Event.Status.RUNNING)

    with pytest.raises(InvalidTransitionError):
        services.build_schedule(event, by=StaffFactory())


def test_fail_schedule_marks_the_event_failed_and_keeps_the_report(event):
    Event.objects.filter(pk=event.pk).update(schedule_report={"scheduled": 3})

    services.fail_schedule(event.pk, "RuntimeError('boom')")

    event.refresh_from_db()
    assert event.schedule_status == "failed"
    assert event.schedule_report == {"scheduled": 3, "error": "RuntimeError('boom')"}


def test_send_schedules_publishes_and_emails_each_organization_an_ics(event, run_on_commit):
    requests = full_grid(event, 1, 2)
    enterprise = requests[0].enterprise
    person = member_of(enterprise, email="ent@example.com")
    for request in requests:
        member_of(request.provider)
    services.run_scheduler(event.pk)

    with run_on_commit():
        emailed = services.send_schedules(event, by=StaffFactory())

    event.refresh_from_db()
    assert (emailed, event.status) == (3, Event.Status.SCHEDULED)
    assert event.schedule_sent_at is not None
    assert all(m.published for m in live(event))
    [message] = [m for m in mail.outbox if m.to == ["ent@example.com"]]
    files = {filename: (content, mimetype) for filename, content, mimetype in message.attachments}
    assert set(files) == {"schedule.ics"}  # the check-in QR is inline, in the HTML part
    assert [image["filename"] for image in message.inline_images] == ["check-in-code.png"]
    content, mimetype = files["schedule.ics"]
    assert mimetype == "text/calendar"
    calendar = Calendar.from_ical(content)
    assert len(calendar.walk("VEVENT")) == 2
    # Each person gets their own feed link (it dies with their membership).
    feed = person.calendar_feeds.get(organization=enterprise)
    assert f"/events/calendar/{feed.token}.ics" in message.body


def test_sending_an_unchanged_schedule_again_emails_nobody(event, run_on_commit):
    request = MeetingRequestFactory(event=event)
    member_of(request.enterprise)
    services.run_scheduler(event.pk)
    services.send_schedules(event, by=None)

    with run_on_commit():
        assert services.send_schedules(event, by=None) == 0


def test_send_schedules_closes_an_open_registration_and_expires_open_requests():
    event = EventFactory(short=True, status=Event.Status.PUBLISHED)
    MeetingRequestFactory(event=event)
    waiting = MeetingRequestFactory(event=event, status=MeetingRequest.Status.REQUESTED)
    services.run_scheduler(event.pk)

    services.send_schedules(event, by=None)

    event.refresh_from_db()
    waiting.refresh_from_db()
    assert (event.status, waiting.status) == ("scheduled", "expired")


def test_send_schedules_needs_a_built_schedule(event):
    with pytest.raises(DomainError):
        services.send_schedules(event, by=None)


@pytest.mark.parametrize("reason", sorted(schedule_selectors.REASON_MESSAGES))
def test_describe_unscheduled_speaks_every_reason(reason):
    entry = {
        "reason": reason,
        "params": {
            "org_name": "甲公司",
            "enterprise_name": "甲公司",
            "provider_name": "乙公司",
            "limit": 3,
            "requests": 8,
            "free_slots": 6,
            "slots": 6,
            "tables": 4,
            "seconds": 20,
        },
    }

    with translation.override("en"):
        text = schedule_selectors.describe_unscheduled(entry)

    assert text
    assert "%(" not in text


def test_describe_unscheduled_survives_an_unknown_reason():
    with translation.override("en"):
        assert schedule_selectors.describe_unscheduled({"reason": "gremlins"}) == (
            "Not scheduled (gremlins)."
        )
