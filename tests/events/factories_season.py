"""Event factories for the season stage's tests (planning, publishing, invitations, RSVP)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from core.enums import Side
from core.models import Industry
from events.models import CalendarDay, Event, Registration, Season, Venue
from matchmaking.models import Match, MatchingState, MatchRun
from tests.factories import OrganizationFactory, ProviderFactory


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


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
    """A published event a month from now, 13:30–17:30 in 20-minute slots (12 slots)."""

    class Meta:
        model = Event

    season = None
    title_zh = factory.Sequence(lambda n: f"大模型+工业制造 供需对接会 · 视觉质检专场 {n}")
    title_en = factory.Sequence(lambda n: f"AI+ Manufacturing Matchmaking · Visual inspection {n}")
    domain = factory.LazyFunction(lambda: Industry.objects.get(code="manufacturing"))
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


class InvitationFactory(factory.django.DjangoModelFactory):
    """An enterprise invited to the event (not yet emailed)."""

    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    organization = factory.SubFactory(OrganizationFactory)
    side = Side.ENTERPRISE
    status = Registration.Status.INVITED
    source = Registration.Source.PLANNER


class ProviderInvitationFactory(InvitationFactory):
    organization = factory.SubFactory(ProviderFactory)
    side = Side.PROVIDER


def active_run() -> MatchRun:
    """The active generation of matches (created on first use), for hand-made Match rows."""
    state = MatchingState.load()
    if state.active_run is None:
        state.active_run = MatchRun.objects.create(
            kind=MatchRun.Kind.FULL, status=MatchRun.Status.SUCCEEDED
        )
        state.save(update_fields=["active_run"])
    return state.active_run


def add_match(need, solution, *, rank: int, score: float, run: MatchRun | None = None) -> Match:
    """A match of the active generation (or of `run`) with the need's rank and score."""
    return Match.objects.create(
        need=need,
        solution=solution,
        run=run or active_run(),
        score=score,
        rank_for_need=rank,
        algorithm_version="test",
        computed_at=timezone.now(),
    )


def holiday(day: dt.date, *, provisional: bool = False) -> CalendarDay:
    return CalendarDay.objects.update_or_create(
        date=day,
        defaults={
            "kind": CalendarDay.Kind.HOLIDAY,
            "name_zh": "测试假日",
            "provisional": provisional,
        },
    )[0]
