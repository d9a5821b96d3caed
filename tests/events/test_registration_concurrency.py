"""Capacity holds under concurrent answers (PostgreSQL row locks; SQLite serialises anyway)."""

from __future__ import annotations

import pytest

from core.enums import Side
from events.models import Registration
from events.services import registration as services
from tests.factories import (
    EventFactory,
    OrganizationFactory,
    RegistrationFactory,
    member_of,
)
from tests.helpers import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

Status = Registration.Status


def seats(event, side=Side.ENTERPRISE) -> list[str]:
    return sorted(
        Registration.objects.filter(event=event, side=side).values_list("status", flat=True)
    )


def test_concurrent_rsvps_never_exceed_the_capacity_of_a_side():
    event = EventFactory(capacity_per_side=3)
    invitations = [RegistrationFactory(invited=True, event=event) for _ in range(10)]

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
    seated = [RegistrationFactory(invited=True, event=event) for _ in range(2)]
    waiting = [RegistrationFactory(invited=True, event=event) for _ in range(3)]
    newcomers = [RegistrationFactory(invited=True, event=event) for _ in range(3)]
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
