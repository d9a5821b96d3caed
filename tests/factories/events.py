"""Factories of the events app's models, one per model.

The default event is open for registration a month from today, 13:30–17:30 in
20-minute slots (12 slots) at 12 tables. Two traits give the shapes the stages'
tests start from:

- `scheduled=True`: its schedule is out, on Wednesday 2027-03-10 with 10 tables and
  40 seats a side (check-in, no-shows, outcomes, the dashboard, exports, the API);
- `short=True`: a short afternoon on 2027-03-10, 13:30–15:30 (6 slots) at 4 tables
  and 20 seats a side, small enough to reason about every placement (the scheduler,
  requests, calendars, the participants' pages).

A registration is an enterprise that registered; `provider=True` makes it a provider
and `invited=True` an invitation the planner made and nobody answered yet.
"""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from core.enums import Side
from core.models import Industry
from events.models import (
    CalendarDay,
    Event,
    Meeting,
    MeetingRequest,
    Outcome,
    Registration,
    Season,
    Venue,
)
from tests.factories.accounts import OrganizationFactory, ProviderFactory

FIXED_DAY = dt.date(2027, 3, 10)
INDUSTRY_NAMES = {
    "manufacturing": ("工业制造", "Manufacturing"),
    "healthcare": ("医疗健康", "Healthcare"),
}


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def industry(code: str) -> Industry:
    """A domain of the taxonomy (loaded by a migration; recreated if a test flushed it)."""
    name_zh, name_en = INDUSTRY_NAMES.get(code, (code, code))
    return Industry.objects.get_or_create(
        code=code, defaults={"name_zh": name_zh, "name_en": name_en}
    )[0]


def holiday(day: dt.date, *, provisional: bool = False) -> CalendarDay:
    """A public holiday on `day` (the calendar is reference data: updated in place)."""
    return CalendarDay.objects.update_or_create(
        date=day,
        defaults={
            "kind": CalendarDay.Kind.HOLIDAY,
            "name_zh": "测试假日",
            "provisional": provisional,
        },
    )[0]


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"漕河泾会议中心 {n} 号厅")
    address = "上海市徐汇区宜山路 1000 号"
    tables = 12
    capacity = 30


class SeasonFactory(factory.django.DjangoModelFactory):
    """A season over the next half year (dates relative to today, so events can publish)."""

    class Meta:
        model = Season
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试季 {n}")
    start = factory.LazyFunction(lambda: in_days(7))
    end = factory.LazyFunction(lambda: in_days(180))
    target_events = 4
    weekly_cap = 2

    @factory.post_generation
    def venues(self, create, extracted, **kwargs):
        if create:
            self.venues.set(extracted if extracted is not None else [VenueFactory()])


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    class Params:
        scheduled = factory.Trait(
            status=Event.Status.SCHEDULED,
            season=factory.SubFactory(SeasonFactory),
            date=FIXED_DAY,
            tables=10,
            capacity_per_side=40,
        )
        short = factory.Trait(
            date=FIXED_DAY,
            end_time=dt.time(15, 30),
            tables=4,
            capacity_per_side=20,
        )

    season = None
    title_zh = factory.Sequence(lambda n: f"大模型+工业制造 供需对接会 · 视觉质检专场 {n}")
    title_en = factory.Sequence(lambda n: f"AI+ Manufacturing Matchmaking · Visual inspection {n}")
    domain = factory.LazyFunction(lambda: industry("manufacturing"))
    theme = "视觉检测与识别专场"
    theme_en = "Computer vision session"
    date = factory.LazyFunction(lambda: in_days(30))
    start_time = dt.time(13, 30)
    end_time = dt.time(17, 30)
    slot_minutes = 20
    venue = factory.SubFactory(VenueFactory)
    tables = 12
    capacity_per_side = 30
    status = Event.Status.PUBLISHED


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    class Params:
        provider = factory.Trait(
            organization=factory.SubFactory(ProviderFactory), side=Side.PROVIDER
        )
        invited = factory.Trait(
            status=Registration.Status.INVITED, source=Registration.Source.PLANNER
        )

    event = factory.SubFactory(EventFactory)
    organization = factory.SubFactory(OrganizationFactory)
    side = Side.ENTERPRISE
    status = Registration.Status.REGISTERED


class MeetingRequestFactory(factory.django.DjangoModelFactory):
    """An accepted request between two organizations registered for the event."""

    class Meta:
        model = MeetingRequest

    event = factory.SubFactory(EventFactory, short=True)
    enterprise = factory.LazyAttribute(lambda o: RegistrationFactory(event=o.event).organization)
    provider = factory.LazyAttribute(
        lambda o: RegistrationFactory(event=o.event, provider=True).organization
    )
    requested_by_side = Side.ENTERPRISE
    status = MeetingRequest.Status.ACCEPTED
    priority = 0.5


class MeetingFactory(factory.django.DjangoModelFactory):
    """A published meeting; slots and tables follow a sequence so that none collide.

    `MeetingFactory(request=...)` places a request's meeting (event and pair from it).
    """

    class Meta:
        model = Meeting

    request = None
    event = factory.Maybe(
        "request",
        yes_declaration=factory.SelfAttribute("request.event"),
        no_declaration=factory.SubFactory(EventFactory, scheduled=True),
    )
    enterprise = factory.Maybe(
        "request",
        yes_declaration=factory.SelfAttribute("request.enterprise"),
        no_declaration=factory.SubFactory(OrganizationFactory),
    )
    provider = factory.Maybe(
        "request",
        yes_declaration=factory.SelfAttribute("request.provider"),
        no_declaration=factory.SubFactory(ProviderFactory),
    )
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


def attend(event: Event, organization, side: str = Side.ENTERPRISE) -> Registration:
    """Register `organization` for `event` on `side`."""
    return RegistrationFactory(event=event, organization=organization, side=side)


def attended_meeting(event: Event, *, checked_in: bool = True, **fields) -> Meeting:
    """A meeting at `event` whose two organizations are registered (and checked in)."""
    status = Registration.Status.CHECKED_IN if checked_in else Registration.Status.REGISTERED
    enterprise = RegistrationFactory(event=event, status=status).organization
    provider = RegistrationFactory(event=event, status=status, provider=True).organization
    return MeetingFactory(event=event, enterprise=enterprise, provider=provider, **fields)
