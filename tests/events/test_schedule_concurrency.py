"""Concurrent schedule builds, accepts and publishing at one event never double-book.

Real threads on PostgreSQL, each with its own connection: the event-row lock makes the
builds take turns, and the partial unique constraints would refuse a double booking
that slipped through (the test also fails on any IntegrityError).
"""

from __future__ import annotations

import pytest
from django.db.models import Count

from core.enums import Side
from core.errors import DomainError
from events.models import Event, Meeting, MeetingRequest
from events.services import requests as request_services
from events.services import schedule as schedule_services
from tests.factories import (
    EventFactory,
    MeetingRequestFactory,
    RegistrationFactory,
    StaffFactory,
    member_of,
)
from tests.helpers import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def double_bookings(event: Event) -> list[dict]:
    live = Meeting.objects.filter(event=event).exclude(status=Meeting.Status.CANCELLED)
    found = []
    for fields in (("slot", "table"), ("slot", "enterprise"), ("slot", "provider")):
        found += list(live.values(*fields).annotate(n=Count("id")).filter(n__gt=1))
    return found


def test_concurrent_builds_and_accepts_never_double_book():
    # 6 slots × 3 tables; 4 enterprises × 4 providers = 16 pairs fit (≤ 18 places).
    event = EventFactory(short=True, tables=3)
    enterprises = [RegistrationFactory(event=event).organization for _ in range(4)]
    providers = [RegistrationFactory(provider=True, event=event).organization for _ in range(4)]
    staff = StaffFactory()
    accepted, waiting = [], []
    for i, enterprise in enumerate(enterprises):
        for j, provider in enumerate(providers):
            if (i + j) % 2:
                accepted.append(
                    MeetingRequestFactory(event=event, enterprise=enterprise, provider=provider)
                )
            else:
                waiting.append(
                    MeetingRequestFactory(
                        event=event,
                        enterprise=enterprise,
                        provider=provider,
                        status=MeetingRequest.Status.REQUESTED,
                        requested_by_side=Side.ENTERPRISE,
                    )
                )
    answerers = {p.pk: member_of(p) for p in providers}
    schedule_services.run_scheduler(event.pk)

    def accept(request):
        return lambda: request_services.answer_request(
            request=request, accept=True, by=answerers[request.provider_id]
        )

    jobs = [lambda: schedule_services.run_scheduler(event.pk) for _ in range(3)]
    jobs += [lambda: schedule_services.build_schedule(event, by=staff) for _ in range(2)]
    jobs += [accept(request) for request in waiting]
    jobs += [lambda: request_services.cancel_request(request=accepted[0], by=staff)]
    errors = run_together(jobs, expected=(DomainError,), timeout=120)

    assert errors == []
    assert double_bookings(event) == []
    # Settled: one more build places every request accepted by now, still without clashes.
    report = schedule_services.run_scheduler(event.pk)
    live_requests = set(
        MeetingRequest.objects.filter(event=event, status="accepted").values_list("pk", flat=True)
    )
    scheduled = set(
        Meeting.objects.filter(event=event, status="scheduled").values_list("request_id", flat=True)
    )
    assert (report["unscheduled"], scheduled) == ([], live_requests)
    assert len(live_requests) == 15
    assert double_bookings(event) == []


def test_concurrent_publishing_and_rebuilding_never_double_book():
    event = EventFactory(short=True, tables=2, status=Event.Status.REGISTRATION_CLOSED)
    enterprises = [RegistrationFactory(event=event).organization for _ in range(3)]
    providers = [RegistrationFactory(provider=True, event=event).organization for _ in range(3)]
    for enterprise in enterprises:
        for provider in providers:
            MeetingRequestFactory(event=event, enterprise=enterprise, provider=provider)
    schedule_services.run_scheduler(event.pk)
    late = [RegistrationFactory(provider=True, event=event).organization for _ in range(2)]

    def add_and_rebuild(provider):
        def job():
            MeetingRequestFactory(event=event, enterprise=enterprises[0], provider=provider)
            schedule_services.run_scheduler(event.pk)

        return job

    jobs = [lambda: schedule_services.send_schedules(event, by=None) for _ in range(2)]
    jobs += [add_and_rebuild(provider) for provider in late]
    jobs += [lambda: schedule_services.run_scheduler(event.pk) for _ in range(2)]
    errors = run_together(jobs, expected=(DomainError,), timeout=120)

    assert errors == []
    assert double_bookings(event) == []
