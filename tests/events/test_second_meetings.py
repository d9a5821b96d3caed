"""Second meetings: NDA and pilot pairs meet again, as must-meets, at the next event of the domain."""

from __future__ import annotations

import pytest

from core.enums import Side
from core.errors import DomainError
from core.models import AuditEntry
from events.models import Event, Meeting, MeetingRequest, Outcome
from events.scheduling import MeetingRequest as Wanted
from events.scheduling import SchedulingProblem, schedule_meetings
from events.services import second_meetings
from tests.factories import (
    EventFactory,
    MeetingFactory,
    OutcomeFactory,
    StaffFactory,
    attend,
    in_days,
    industry,
)

pytestmark = pytest.mark.django_db


def first_meeting(step: str, *, domain: str = "manufacturing", days_ago: int = 30) -> Meeting:
    past = EventFactory(
        date=in_days(-days_ago), status=Event.Status.FINISHED, domain=industry(domain)
    )
    meeting = MeetingFactory(event=past, status=Meeting.Status.HELD)
    OutcomeFactory(meeting=meeting, next_step=step)
    return meeting


def upcoming(days: int, *, domain: str = "manufacturing", attending=()) -> Event:
    event = EventFactory(date=in_days(days), domain=industry(domain))
    for meeting in attending:
        attend(event, meeting.enterprise, Side.ENTERPRISE)
        attend(event, meeting.provider, Side.PROVIDER)
    return event


def carried(event: Event) -> list[tuple[int, int, bool, str]]:
    return list(
        MeetingRequest.objects.filter(event=event).values_list(
            "enterprise_id", "provider_id", "must_meet", "source"
        )
    )


def test_nda_and_pilot_pairs_become_must_meets_at_the_next_event_of_the_domain():
    nda = first_meeting(Outcome.NextStep.NDA)
    pilot = first_meeting(Outcome.NextStep.PILOT)
    follow_up_only = first_meeting(Outcome.NextStep.FOLLOW_UP)
    event = upcoming(20, attending=[nda, pilot, follow_up_only])

    count = second_meetings.carry_second_meetings(event=event)

    assert count == 2
    assert sorted(carried(event)) == sorted(
        [
            (nda.enterprise_id, nda.provider_id, True, "second_meeting"),
            (pilot.enterprise_id, pilot.provider_id, True, "second_meeting"),
        ]
    )
    assert AuditEntry.objects.filter(action="meeting_request.second_meeting").count() == 2
    assert second_meetings.carry_second_meetings(event=event) == 0  # idempotent


def test_only_the_next_event_of_the_same_domain_gets_the_pair():
    nda = first_meeting(Outcome.NextStep.NDA)
    next_one = upcoming(10, attending=[nda])
    later_one = upcoming(40, attending=[nda])
    other_domain = upcoming(5, domain="healthcare", attending=[nda])

    results = [
        second_meetings.carry_second_meetings(event=e) for e in (next_one, later_one, other_domain)
    ]

    assert results == [1, 0, 0]


def test_a_pair_not_attending_is_not_carried():
    nda = first_meeting(Outcome.NextStep.NDA)
    event = upcoming(10)
    attend(event, nda.enterprise, Side.ENTERPRISE)  # the provider does not come

    assert second_meetings.carry_second_meetings(event=event) == 0


def test_the_office_removes_a_second_meeting_and_it_is_not_carried_again():
    nda = first_meeting(Outcome.NextStep.NDA)
    event = upcoming(10, attending=[nda])
    second_meetings.carry_second_meetings(event=event)
    staff = StaffFactory()

    removed = second_meetings.remove_second_meetings(
        MeetingRequest.objects.filter(event=event), by=staff
    )
    again = second_meetings.carry_second_meetings(event=event)

    assert (removed, again) == (1, 0)
    request = MeetingRequest.objects.get(event=event)
    assert (request.status, request.must_meet) == ("cancelled", False)
    assert AuditEntry.objects.filter(
        action="meeting_request.second_meeting_removed", actor=staff
    ).exists()


def test_removal_is_refused_once_the_event_is_under_way():
    nda = first_meeting(Outcome.NextStep.NDA)
    event = upcoming(10, attending=[nda])
    second_meetings.carry_second_meetings(event=event)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.RUNNING)

    with pytest.raises(DomainError):
        second_meetings.remove_second_meetings(
            MeetingRequest.objects.filter(event=event), by=StaffFactory()
        )


def test_the_scheduler_places_a_must_meet_before_a_higher_priority_request():
    # One slot, one table: the must-meet wins over a request of far higher priority.
    problem = SchedulingProblem(
        slots=1,
        tables=1,
        requests=[
            Wanted(id="high", enterprise=1, provider=2, priority=0.99),
            Wanted(id="second", enterprise=3, provider=4, priority=0.1, must_meet=True),
        ],
    )

    result = schedule_meetings(problem)

    assert [a.request_id for a in result.assignments] == ["second"]
