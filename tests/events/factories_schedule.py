"""Event factories for the schedule stage's tests (requests, scheduling, .ics, pages)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from core.enums import Side
from core.models import Industry
from events.models import Event, Meeting, MeetingRequest, Registration, Venue
from matchmaking.models import Match, MatchingState, MatchRun
from tests.factories import OrganizationFactory, ProviderFactory


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"漕河泾会议中心 {n} 号厅")
    address = "上海市徐汇区宜山路 900 号"
    tables = 4
    capacity = 20


class EventFactory(factory.django.DjangoModelFactory):
    """An event open for registration on 2027-03-10, 13:30–15:30: 6 slots of 20 minutes."""

    class Meta:
        model = Event

    title_zh = factory.Sequence(lambda n: f"大模型+工业 供需对接会 · 视觉质检专场 {n}")
    title_en = factory.Sequence(lambda n: f"AI+ Manufacturing · Visual inspection {n}")
    domain = factory.LazyFunction(lambda: Industry.objects.get(code="manufacturing"))
    theme = "视觉质检"
    date = dt.date(2027, 3, 10)
    start_time = dt.time(13, 30)
    end_time = dt.time(15, 30)
    slot_minutes = 20
    venue = factory.SubFactory(VenueFactory)
    tables = 4
    capacity_per_side = 20
    status = Event.Status.PUBLISHED


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registered enterprise (ProviderRegistrationFactory for the other side)."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    organization = factory.SubFactory(OrganizationFactory)
    side = Side.ENTERPRISE
    status = Registration.Status.REGISTERED


class ProviderRegistrationFactory(RegistrationFactory):
    organization = factory.SubFactory(ProviderFactory)
    side = Side.PROVIDER


class MeetingRequestFactory(factory.django.DjangoModelFactory):
    """An accepted request between two organizations registered for the event."""

    class Meta:
        model = MeetingRequest

    event = factory.SubFactory(EventFactory)
    enterprise = factory.LazyAttribute(lambda o: RegistrationFactory(event=o.event).organization)
    provider = factory.LazyAttribute(
        lambda o: ProviderRegistrationFactory(event=o.event).organization
    )
    requested_by_side = Side.ENTERPRISE
    status = MeetingRequest.Status.ACCEPTED
    priority = 0.5


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    request = factory.SubFactory(MeetingRequestFactory)
    event = factory.SelfAttribute("request.event")
    enterprise = factory.SelfAttribute("request.enterprise")
    provider = factory.SelfAttribute("request.provider")
    slot = 0
    table = 0
    published = True


def make_match(need, solution, score: float) -> Match:
    """An active match between a need and a solution (no engine run needed)."""
    state = MatchingState.load()
    if state.active_run is None:
        state.active_run = MatchRun.objects.create(
            kind=MatchRun.Kind.FULL, status=MatchRun.Status.SUCCEEDED
        )
        state.save()
    return Match.objects.create(
        need=need,
        solution=solution,
        run=state.active_run,
        score=score,
        algorithm_version="test",
        computed_at=timezone.now(),
    )


def attend(event: Event, organization, side: str = Side.ENTERPRISE) -> Registration:
    return RegistrationFactory(event=event, organization=organization, side=side)
