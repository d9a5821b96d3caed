"""Running an event: start/finish, check-in, no-shows and outcomes (events.services.running)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.enums import Side
from core.errors import DomainError, InvalidTransitionError, NotAllowedError
from events.models import Event, Meeting, Outcome, Registration
from events.services import running
from tests.factories import (
    EventFactory,
    MeetingFactory,
    OutcomeFactory,
    RegistrationFactory,
    StaffFactory,
    attended_meeting,
    member_of,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_event_day")]

RegStatus = Registration.Status


@pytest.fixture
def staff():
    return StaffFactory()


def _statuses(*objects) -> list[str]:
    for obj in objects:
        obj.refresh_from_db()
    return [obj.status for obj in objects]


# --- event life ----------------------------------------------------------------------


def test_start_event_scheduled_becomes_running(staff):
    event = EventFactory(scheduled=True, status=Event.Status.SCHEDULED)

    running.start_event(event, by=staff)

    assert _statuses(event) == [Event.Status.RUNNING]


@pytest.mark.parametrize(
    "status", [Event.Status.DRAFT, Event.Status.PUBLISHED, Event.Status.FINISHED]
)
def test_start_event_refused_outside_scheduled(staff, status):
    event = EventFactory(scheduled=True, status=status)

    with pytest.raises(InvalidTransitionError):
        running.start_event(event, by=staff)

    assert _statuses(event) == [status]


def test_finish_event_running_becomes_finished_and_meetings_of_checked_in_pairs_held(staff):
    event = EventFactory(scheduled=True, status=Event.Status.RUNNING)
    both_came = attended_meeting(event, checked_in=True)
    nobody_checked_in = attended_meeting(event, checked_in=False)

    running.finish_event(event, by=staff)

    assert _statuses(event, both_came, nobody_checked_in) == [
        Event.Status.FINISHED,
        Meeting.Status.HELD,
        Meeting.Status.SCHEDULED,
    ]


def test_finish_event_refused_when_not_running(staff):
    event = EventFactory(scheduled=True, status=Event.Status.SCHEDULED)

    with pytest.raises(InvalidTransitionError):
        running.finish_event(event, by=staff)


# --- check-in ------------------------------------------------------------------------


def test_check_in_registered_records_time_and_staff(staff):
    registration = RegistrationFactory(event__status=Event.Status.RUNNING)

    running.check_in(registration=registration, by=staff)

    registration.refresh_from_db()
    assert registration.status == RegStatus.CHECKED_IN
    assert registration.checked_in_by == staff
    assert registration.checked_in_at is not None


def test_check_in_twice_keeps_the_first_time(staff):
    registration = RegistrationFactory(event__status=Event.Status.RUNNING)
    running.check_in(registration=registration, by=staff)
    registration.refresh_from_db()
    first = registration.checked_in_at

    running.check_in(registration=registration, by=StaffFactory())

    registration.refresh_from_db()
    assert (registration.status, registration.checked_in_at) == (RegStatus.CHECKED_IN, first)


@pytest.mark.parametrize("status", [RegStatus.INVITED, RegStatus.WAITLISTED, RegStatus.DECLINED])
def test_check_in_walk_in_is_registered_and_checked_in(staff, status):
    registration = RegistrationFactory(event__status=Event.Status.RUNNING, status=status)

    running.check_in(registration=registration, by=staff)

    assert _statuses(registration) == [RegStatus.CHECKED_IN]


@pytest.mark.parametrize("status", [Event.Status.DRAFT, Event.Status.CANCELLED])
def test_check_in_refused_at_draft_or_cancelled_event(staff, status):
    registration = RegistrationFactory(event__status=status)

    with pytest.raises(DomainError):
        running.check_in(registration=registration, by=staff)

    assert _statuses(registration) == [RegStatus.REGISTERED]


def test_check_in_corrects_a_no_show_and_its_meetings(staff):
    event = EventFactory(scheduled=True, status=Event.Status.RUNNING)
    meeting = attended_meeting(event, checked_in=True)
    absent = Registration.objects.get(event=event, organization=meeting.provider)
    running.mark_no_show(registration=absent, by=staff)
    assert _statuses(meeting) == [Meeting.Status.NO_SHOW]

    running.check_in(registration=absent, by=staff)

    assert _statuses(absent, meeting) == [RegStatus.CHECKED_IN, Meeting.Status.SCHEDULED]


def test_undo_check_in_expects_the_organization_again(staff):
    registration = RegistrationFactory(event__status=Event.Status.RUNNING)
    running.check_in(registration=registration, by=staff)

    running.undo_check_in(registration=registration, by=staff)

    registration.refresh_from_db()
    assert (registration.status, registration.checked_in_at) == (RegStatus.REGISTERED, None)


def test_undo_check_in_refused_when_not_checked_in(staff):
    registration = RegistrationFactory(event__status=Event.Status.RUNNING)

    with pytest.raises(DomainError):
        running.undo_check_in(registration=registration, by=staff)


# --- no-shows ------------------------------------------------------------------------


def test_mark_no_shows_registered_not_checked_in_and_their_meetings(staff):
    event = EventFactory(scheduled=True, status=Event.Status.FINISHED)
    came = RegistrationFactory(event=event, status=RegStatus.CHECKED_IN)
    absent = RegistrationFactory(provider=True, event=event, status=RegStatus.REGISTERED)
    declined = RegistrationFactory(event=event, status=RegStatus.DECLINED)
    missed = MeetingFactory(event=event, enterprise=came.organization, provider=absent.organization)
    other_event_meeting = MeetingFactory(provider=absent.organization)

    count = running.mark_no_shows(event, by=staff)

    assert count == 1
    assert _statuses(came, absent, declined, missed, other_event_meeting) == [
        RegStatus.CHECKED_IN,
        RegStatus.NO_SHOW,
        RegStatus.DECLINED,
        Meeting.Status.NO_SHOW,
        Meeting.Status.SCHEDULED,
    ]


def test_mark_no_shows_twice_counts_none_the_second_time(staff):
    event = EventFactory(scheduled=True, status=Event.Status.RUNNING)
    RegistrationFactory.create_batch(2, event=event)

    assert [running.mark_no_shows(event, by=staff) for _ in range(2)] == [2, 0]


@pytest.mark.parametrize("status", [Event.Status.PUBLISHED, Event.Status.SCHEDULED])
def test_mark_no_shows_refused_before_the_event(staff, status):
    registration = RegistrationFactory(event__status=status)

    with pytest.raises(DomainError):
        running.mark_no_shows(registration.event, by=staff)

    assert _statuses(registration) == [RegStatus.REGISTERED]


def test_mark_no_show_corrects_a_check_in(staff):
    event = EventFactory(scheduled=True, status=Event.Status.FINISHED)
    meeting = attended_meeting(event, checked_in=True, status=Meeting.Status.HELD)
    registration = Registration.objects.get(event=event, organization=meeting.enterprise)

    running.mark_no_show(registration=registration, by=staff)

    registration.refresh_from_db()
    assert (registration.status, registration.checked_in_at) == (RegStatus.NO_SHOW, None)
    assert _statuses(meeting) == [Meeting.Status.NO_SHOW]


# --- outcomes ------------------------------------------------------------------------


def test_record_outcome_by_member_marks_the_meeting_held():
    meeting = attended_meeting(EventFactory(scheduled=True, status=Event.Status.FINISHED))
    user = member_of(meeting.provider)

    outcome = running.record_outcome(
        meeting=meeting,
        side=Side.PROVIDER,
        by=user,
        rating=5,
        next_step=Outcome.NextStep.PILOT,
        deal_value=120,
        note="下月进场试点",
    )

    assert (outcome.rating, outcome.next_step, outcome.deal_value, outcome.submitted_by) == (
        5,
        Outcome.NextStep.PILOT,
        120,
        user,
    )
    assert _statuses(meeting) == [Meeting.Status.HELD]


def test_record_outcome_again_edits_the_same_outcome():
    meeting = attended_meeting(EventFactory(scheduled=True, status=Event.Status.FINISHED))
    user = member_of(meeting.enterprise)
    fields = {"meeting": meeting, "side": Side.ENTERPRISE, "by": user}
    running.record_outcome(**fields, rating=3, next_step=Outcome.NextStep.FOLLOW_UP)

    running.record_outcome(**fields, rating=4, next_step=Outcome.NextStep.NDA)

    assert list(Outcome.objects.values_list("side", "stage", "rating", "next_step")) == [
        (Side.ENTERPRISE, Outcome.Stage.EVENT, 4, Outcome.NextStep.NDA)
    ]


def test_record_outcome_follow_up_is_a_second_outcome():
    meeting = attended_meeting(EventFactory(scheduled=True, status=Event.Status.FINISHED))
    user = member_of(meeting.enterprise)
    fields = {"meeting": meeting, "side": Side.ENTERPRISE, "by": user}
    running.record_outcome(**fields, rating=3, next_step=Outcome.NextStep.FOLLOW_UP)

    running.record_outcome(
        **fields, rating=5, next_step=Outcome.NextStep.CONTRACT, deal_value=300, stage="followup"
    )

    assert sorted(Outcome.objects.values_list("stage", "next_step")) == [
        (Outcome.Stage.EVENT, Outcome.NextStep.FOLLOW_UP),
        (Outcome.Stage.FOLLOW_UP, Outcome.NextStep.CONTRACT),
    ]


def test_record_outcome_follow_up_refused_before_the_event_finished():
    meeting = attended_meeting(EventFactory(scheduled=True, status=Event.Status.RUNNING))

    with pytest.raises(DomainError):
        running.record_outcome(
            meeting=meeting,
            side=Side.ENTERPRISE,
            by=member_of(meeting.enterprise),
            rating=4,
            next_step=Outcome.NextStep.NONE,
            stage="followup",
        )


def test_record_outcome_refused_for_the_other_side():
    meeting = attended_meeting(EventFactory(scheduled=True, status=Event.Status.FINISHED))

    with pytest.raises(NotAllowedError):
        running.record_outcome(
            meeting=meeting,
            side=Side.PROVIDER,
            by=member_of(meeting.enterprise),
            rating=1,
            next_step=Outcome.NextStep.NONE,
        )

    assert Outcome.objects.count() == 0


def test_record_outcome_refused_before_the_event_starts():
    meeting = attended_meeting(EventFactory(scheduled=True, status=Event.Status.SCHEDULED))

    with pytest.raises(DomainError):
        running.record_outcome(
            meeting=meeting,
            side=Side.ENTERPRISE,
            by=member_of(meeting.enterprise),
            rating=4,
            next_step=Outcome.NextStep.NONE,
        )


@pytest.mark.parametrize("status", [Meeting.Status.NO_SHOW, Meeting.Status.CANCELLED])
def test_record_outcome_refused_for_meetings_that_did_not_happen(status):
    meeting = attended_meeting(
        EventFactory(scheduled=True, status=Event.Status.FINISHED), status=status
    )

    with pytest.raises(DomainError):
        running.record_outcome(
            meeting=meeting,
            side=Side.ENTERPRISE,
            by=member_of(meeting.enterprise),
            rating=4,
            next_step=Outcome.NextStep.NONE,
        )


@pytest.mark.parametrize(("rating", "next_step"), [(0, "none"), (6, "none"), (3, "merger")])
def test_record_outcome_refuses_invalid_values(rating, next_step):
    meeting = attended_meeting(EventFactory(scheduled=True, status=Event.Status.FINISHED))

    with pytest.raises(ValidationError):
        running.record_outcome(
            meeting=meeting,
            side=Side.ENTERPRISE,
            by=member_of(meeting.enterprise),
            rating=rating,
            next_step=next_step,
        )

    assert Outcome.objects.count() == 0


def test_record_outcome_by_staff_on_behalf_of_a_side():
    outcome = OutcomeFactory(meeting__event__status=Event.Status.FINISHED)

    edited = running.record_outcome(
        meeting=outcome.meeting,
        side=Side.ENTERPRISE,
        by=StaffFactory(),
        rating=2,
        next_step=Outcome.NextStep.NONE,
    )

    assert (edited.pk, edited.rating) == (outcome.pk, 2)


def test_mark_no_shows_spares_organizations_that_reported_an_outcome(staff):
    event = EventFactory(scheduled=True, status=Event.Status.FINISHED, format=Event.Format.ONLINE)
    meeting = attended_meeting(event, checked_in=False)
    running.record_outcome(
        meeting=meeting,
        side=Side.ENTERPRISE,
        by=member_of(meeting.enterprise),
        rating=4,
        next_step=Outcome.NextStep.FOLLOW_UP,
    )
    reporter = Registration.objects.get(event=event, organization=meeting.enterprise)
    silent = Registration.objects.get(event=event, organization=meeting.provider)

    count = running.mark_no_shows(event, by=staff)

    assert count == 1
    assert _statuses(reporter, silent, meeting) == [
        RegStatus.REGISTERED,
        RegStatus.NO_SHOW,
        Meeting.Status.HELD,
    ]
