"""Event factories for the running stage's tests (check-in, outcomes, dashboard, exports, API)."""

from __future__ import annotations

import datetime as dt

import factory

from core.enums import Side
from core.models import Industry
from events.models import Event, Meeting, Outcome, Registration, Season, Venue
from tests.factories import OrganizationFactory, ProviderFactory

INDUSTRY_NAMES = {
    "manufacturing": ("工业制造", "Manufacturing"),
    "healthcare": ("医疗健康", "Healthcare"),
}


def industry(code: str) -> Industry:
    """A domain of the taxonomy (loaded by a migration; recreated if a test flushed it)."""
    name_zh, name_en = INDUSTRY_NAMES.get(code, (code, code))
    return Industry.objects.get_or_create(
        code=code, defaults={"name_zh": name_zh, "name_en": name_en}
    )[0]


class SeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Season

    name = factory.Sequence(lambda n: f"2027 年度 {n}")
    start = dt.date(2027, 1, 4)
    end = dt.date(2027, 12, 24)
    target_events = 50


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"徐汇西岸国际会展中心 {n} 号厅")
    address = "上海市徐汇区龙腾大道 2555 号"
    tables = 10
    capacity = 40


class EventFactory(factory.django.DjangoModelFactory):
    """A scheduled event (meetings placed, not yet under way) on 2027-03-10, 13:30–17:30."""

    class Meta:
        model = Event

    season = factory.SubFactory(SeasonFactory)
    title_zh = factory.Sequence(lambda n: f"大模型+工业 供需对接会 · 视觉质检专场 {n}")
    title_en = factory.Sequence(
        lambda n: f"AI+ Manufacturing docking event · Visual inspection {n}"
    )
    domain = factory.LazyFunction(lambda: industry("manufacturing"))
    theme = "视觉质检"
    date = dt.date(2027, 3, 10)
    start_time = dt.time(13, 30)
    end_time = dt.time(17, 30)
    slot_minutes = 20
    venue = factory.SubFactory(VenueFactory)
    tables = 10
    capacity_per_side = 40
    status = Event.Status.SCHEDULED


class RegistrationFactory(factory.django.DjangoModelFactory):
    """An enterprise registered for the event (use side=Side.PROVIDER with a provider org)."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    organization = factory.SubFactory(OrganizationFactory)
    side = Side.ENTERPRISE
    status = Registration.Status.REGISTERED
    attendees = factory.Sequence(lambda n: f"张经理{n}")


class ProviderRegistrationFactory(RegistrationFactory):
    organization = factory.SubFactory(ProviderFactory)
    side = Side.PROVIDER


class MeetingFactory(factory.django.DjangoModelFactory):
    """A published meeting; slots and tables follow a sequence so that none collide."""

    class Meta:
        model = Meeting

    event = factory.SubFactory(EventFactory)
    enterprise = factory.SubFactory(OrganizationFactory)
    provider = factory.SubFactory(ProviderFactory)
    slot = factory.Sequence(lambda n: n % 12)
    table = factory.Sequence(lambda n: n // 12)
    status = Meeting.Status.SCHEDULED
    source = Meeting.Source.REQUEST
    published = True


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    meeting = factory.SubFactory(MeetingFactory, status=Meeting.Status.HELD)
    side = Side.ENTERPRISE
    stage = Outcome.Stage.EVENT
    rating = 4
    next_step = Outcome.NextStep.FOLLOW_UP


def attended_meeting(event: Event, *, checked_in: bool = True, **fields) -> Meeting:
    """A meeting at `event` whose two organizations are registered (and checked in)."""
    status = Registration.Status.CHECKED_IN if checked_in else Registration.Status.REGISTERED
    enterprise = RegistrationFactory(event=event, status=status).organization
    provider = ProviderRegistrationFactory(event=event, status=status).organization
    return MeetingFactory(event=event, enterprise=enterprise, provider=provider, **fields)
