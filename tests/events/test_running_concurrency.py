"""Check-ins and outcomes under concurrency (PostgreSQL row locks; SQLite serialises anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.enums import Side
from events.models import Event, Meeting, Outcome, Registration
from events.services import running
from tests.events.factories_running import EventFactory, RegistrationFactory, attended_meeting
from tests.factories import StaffFactory, member_of

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def run_together(calls) -> list[BaseException]:
    """Run the calls in threads released at once; returns the errors they raised."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call):
        barrier.wait()
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 — reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_outcomes_of_one_side_leave_one_outcome():
    meeting = attended_meeting(EventFactory(status=Event.Status.FINISHED))
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
    registration = RegistrationFactory(event=EventFactory(status=Event.Status.RUNNING))
    desks = [StaffFactory() for _ in range(5)]

    errors = run_together(
        [lambda by=by: running.check_in(registration=registration, by=by) for by in desks]
    )

    assert errors == []
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CHECKED_IN
    assert registration.checked_in_by in desks


def test_check_ins_racing_mark_no_shows_end_consistent():
    event = EventFactory(status=Event.Status.RUNNING)
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
