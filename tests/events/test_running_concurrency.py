"""Check-ins and outcomes under concurrency (PostgreSQL row locks; SQLite serialises anyway)."""

from __future__ import annotations

import pytest

from core.enums import Side
from events.models import Event, Meeting, Outcome, Registration
from events.services import running
from tests.factories import (
    EventFactory,
    RegistrationFactory,
    StaffFactory,
    attended_meeting,
    member_of,
)
from tests.helpers import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("on_event_day"),
]


def test_concurrent_outcomes_of_one_side_leave_one_outcome():
    meeting = attended_meeting(EventFactory(scheduled=True, status=Event.Status.FINISHED))
    colleagues = [member_of(meeting.enterprise) for _ in range(5)]

    errors = run_together(
        [
            lambda user=user, rating=rating: running.record_outcome(
                meeting=meeting,
                side=Side.ENTERPRISE,
                by=user,
                rating=rating,
                next_step=Outcome.NextStep.FOLLOW_UP,
            )
            for rating, user in enumerate(colleagues, start=1)
        ]
    )

    assert errors == []
    assert Outcome.objects.filter(meeting=meeting).count() == 1
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_concurrent_scans_of_one_code_check_in_once():
    registration = RegistrationFactory(
        event=EventFactory(scheduled=True, status=Event.Status.RUNNING)
    )
    desks = [StaffFactory() for _ in range(5)]

    errors = run_together(
        [lambda by=by: running.check_in(registration=registration, by=by) for by in desks]
    )

    assert errors == []
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CHECKED_IN
    assert registration.checked_in_by in desks


def test_check_ins_racing_mark_no_shows_end_consistent():
    event = EventFactory(scheduled=True, status=Event.Status.RUNNING)
    registrations = RegistrationFactory.create_batch(6, event=event)
    staff = StaffFactory()

    errors = run_together(
        [
            *(lambda r=r: running.check_in(registration=r, by=staff) for r in registrations[:3]),
            lambda: running.mark_no_shows(event, by=staff),
        ]
    )

    assert errors == []
    statuses = sorted(Registration.objects.filter(event=event).values_list("status", flat=True))
    # Whoever the no-show sweep saw first became a no-show; nobody stayed merely registered.
    assert Registration.Status.REGISTERED not in statuses
    assert set(statuses) <= {Registration.Status.CHECKED_IN, Registration.Status.NO_SHOW}
