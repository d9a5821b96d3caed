"""Capacity holds under concurrent answers (PostgreSQL row locks; SQLite serialises anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.enums import Side
from events.models import Registration
from events.services import registration as services
from tests.events.factories_season import EventFactory, InvitationFactory
from tests.factories import OrganizationFactory, member_of

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

Status = Registration.Status


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


def seats(event, side=Side.ENTERPRISE) -> list[str]:
    return sorted(
        Registration.objects.filter(event=event, side=side).values_list("status", flat=True)
    )


def test_concurrent_rsvps_never_exceed_the_capacity_of_a_side():
    event = EventFactory(capacity_per_side=3)
    invitations = [InvitationFactory(event=event) for _ in range(10)]

    errors = run_together(
        [
            lambda r=r: services.respond_rsvp(registration=r, attending=True, attendees="王工")
            for r in invitations
        ]
    )

    assert errors == []
    assert seats(event) == [Status.REGISTERED] * 3 + [Status.WAITLISTED] * 7


def test_concurrent_self_registrations_never_exceed_capacity():
    event = EventFactory(capacity_per_side=2)
    members = []
    for _ in range(8):
        organization = OrganizationFactory()
        members.append((organization, member_of(organization)))

    errors = run_together(
        [
            lambda o=o, u=u: services.register(event=event, organization=o, side=None, by=u)
            for o, u in members
        ]
    )

    assert errors == []
    assert seats(event) == [Status.REGISTERED] * 2 + [Status.WAITLISTED] * 6


def test_concurrent_declines_and_answers_keep_the_seats_filled_exactly():
    event = EventFactory(capacity_per_side=2)
    seated = [InvitationFactory(event=event) for _ in range(2)]
    waiting = [InvitationFactory(event=event) for _ in range(3)]
    newcomers = [InvitationFactory(event=event) for _ in range(3)]
    for registration in seated + waiting:
        services.respond_rsvp(registration=registration, attending=True)

    calls = [lambda r=r: services.respond_rsvp(registration=r, attending=False) for r in seated] + [
        lambda r=r: services.respond_rsvp(registration=r, attending=True) for r in newcomers
    ]
    errors = run_together(calls)

    assert errors == []
    assert seats(event).count(Status.REGISTERED) == 2
    assert seats(event).count(Status.DECLINED) == 2
    # The two freed seats went to the waiting list, which was there first.
    assert sorted(
        Registration.objects.filter(pk__in=[r.pk for r in waiting]).values_list("status", flat=True)
    ) == [Status.REGISTERED, Status.REGISTERED, Status.WAITLISTED]
