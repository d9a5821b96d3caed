"""The season planner on the database: its input from the catalog, its drafts, its quality."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from core.enums import Side
from core.errors import DomainError
from core.models import Organization, OutboxMessage
from events.models import Event, Registration, Season
from events.planning import Introduction, ProviderMatch
from events.selectors import plan_report
from events.services import season as services
from matchmaking.models import Interest, MatchRun, Status
from tests.factories import (
    NeedFactory,
    OrganizationFactory,
    ProviderFactory,
    SeasonFactory,
    SolutionFactory,
    StaffFactory,
    VenueFactory,
    add_match,
    holiday,
    in_days,
)

pytestmark = pytest.mark.django_db


def catalog(needs_per_enterprise: int = 3, enterprises: int = 4, providers: int = 5):
    """Manufacturing needs, each matched (ranked) to every provider's one solution."""
    solutions = [SolutionFactory(organization=ProviderFactory()) for _ in range(providers)]
    needs = []
    for _ in range(enterprises):
        organization = OrganizationFactory()
        for _ in range(needs_per_enterprise):
            need = NeedFactory(organization=organization)
            for rank, solution in enumerate(solutions, start=1):
                add_match(need, solution, rank=rank, score=round(0.9 - 0.05 * rank, 2))
            needs.append(need)
    return needs, solutions


# --- the planner's input --------------------------------------------------------------------


def test_planning_input_collapses_solutions_to_ranked_provider_organizations():
    need = NeedFactory()
    p1, p2, p3 = ProviderFactory(), ProviderFactory(), ProviderFactory()
    s1a, s1b = SolutionFactory(organization=p1), SolutionFactory(organization=p1)
    s2, s3 = SolutionFactory(organization=p2), SolutionFactory(organization=p3)
    add_match(need, s1b, rank=1, score=0.9)
    add_match(need, s2, rank=2, score=0.8)
    add_match(need, s1a, rank=3, score=0.7)
    add_match(need, s3, rank=4, score=0.6)
    stale = MatchRun.objects.create(kind=MatchRun.Kind.FULL, status=MatchRun.Status.SUPERSEDED)
    add_match(need, SolutionFactory(), rank=1, score=0.99, run=stale)

    inp, _notes, _kept = services.planning_input(SeasonFactory())

    assert [(n.id, n.organization_id, n.industry) for n in inp.needs] == [
        (need.pk, need.organization_id, "manufacturing")
    ]
    assert inp.needs[0].capabilities == ("computer_vision",)
    assert inp.needs[0].matches == (
        ProviderMatch(p1.pk, 0.9),
        ProviderMatch(p2.pk, 0.8),
        ProviderMatch(p3.pk, 0.6),
    )


def test_planning_input_keeps_top_ten_providers_and_skips_the_needs_own_organization():
    both = OrganizationFactory(kind=Organization.Kind.BOTH)
    need = NeedFactory(organization=both)
    add_match(need, SolutionFactory(organization=both), rank=1, score=0.95)
    providers = [ProviderFactory() for _ in range(12)]
    for rank, provider in enumerate(providers, start=2):
        add_match(need, SolutionFactory(organization=provider), rank=rank, score=1 - rank / 20)

    inp, _notes, _kept = services.planning_input(SeasonFactory())

    assert [m.provider_id for m in inp.needs[0].matches] == [p.pk for p in providers[:10]]


def test_planning_input_takes_approved_needs_and_accepted_introductions_only():
    approved = NeedFactory()
    NeedFactory(status=Status.SUBMITTED)
    NeedFactory(status=Status.CLOSED)
    solution, other = SolutionFactory(), SolutionFactory()
    Interest.objects.create(
        need=approved, solution=solution, initiated_by_side="provider", status="accepted"
    )
    Interest.objects.create(
        need=approved, solution=other, initiated_by_side="provider", status="pending"
    )

    inp, _notes, _kept = services.planning_input(SeasonFactory())

    assert [n.id for n in inp.needs] == [approved.pk]
    assert list(inp.introductions) == [
        Introduction(approved.organization_id, solution.organization_id, approved.pk)
    ]


def test_planning_input_reads_season_calendar_venues_and_names():
    venue = VenueFactory(capacity=25)
    season = SeasonFactory(
        venues=[venue], weekly_cap=1, blackout_dates=[in_days(20).isoformat()], target_events=9
    )
    day_off = in_days(21)
    holiday(day_off)
    elsewhere = Event.objects.create(
        title_zh="别的活动", date=in_days(22), venue=venue, status=Event.Status.PUBLISHED
    )
    NeedFactory()

    inp, _notes, _kept = services.planning_input(season)

    assert (inp.start, inp.end, inp.weekly_cap, inp.target_events) == (
        season.start,
        season.end,
        1,
        9,
    )
    assert [(v.id, v.capacity, v.unavailable) for v in inp.venues] == [
        (venue.pk, 25, frozenset({elsewhere.date}))
    ]
    assert inp.blackout_dates == frozenset({in_days(20), elsewhere.date})
    assert not inp.calendar.is_working_day(day_off)
    assert inp.industry_names["manufacturing"] == ("工业制造", "Manufacturing")
    assert inp.capability_names["computer_vision"][0] == "视觉检测与识别"
    assert "automotive" in inp.related_industries["manufacturing"]


def test_planning_input_uses_the_stored_engine_model_for_need_vectors(run_on_commit):
    from matchmaking.services import matching  # noqa: PLC0415

    needs = [NeedFactory(), NeedFactory(title="医院病历质控大模型", industry_id=None)]
    SolutionFactory()
    with run_on_commit():
        matching.start_full_run()

    inp, notes, _kept = services.planning_input(SeasonFactory())

    assert [n.vector_row for n in inp.needs] == [0, 1]
    assert [n.id for n in inp.needs] == [needs[0].pk, needs[1].pk]
    assert inp.needs[1].industry == services.OTHER_INDUSTRY
    assert inp.need_vectors.shape == (2, len(inp.feature_names))
    assert inp.need_vectors[0].nnz > 0
    assert not [message for message, _values in notes if "model" in message]


def test_planning_input_without_a_model_says_so():
    NeedFactory()
    inp, notes, _kept = services.planning_input(SeasonFactory())
    assert inp.need_vectors is None
    assert (
        "No matching model stored yet: themes are named from AI capabilities only.",
        {},
    ) in notes


def words(season: Season) -> str:
    """The season's planner notes as an English-reading office sees them."""
    with translation.override("en"):
        return "\n".join(plan_report.plan_notes(season))


# --- running the planner --------------------------------------------------------------------


def test_run_planner_writes_draft_events_needs_and_invitations():
    needs, solutions = catalog()
    venue = VenueFactory(tables=14, capacity=30)
    season = SeasonFactory(venues=[venue], target_events=2)

    plan = services.run_planner(season.pk)

    events = list(season.events.order_by("date"))
    assert len(events) == len(plan.events) == 2
    assert {e.status for e in events} == {Event.Status.DRAFT}
    assert {(e.venue_id, e.tables, e.capacity_per_side) for e in events} == {(venue.pk, 14, 30)}
    assert {e.domain.code for e in events} == {"manufacturing"}
    assert all(e.title_zh.startswith("大模型+工业制造 供需对接会 · ") for e in events)
    assert all(season.start <= e.date <= season.end for e in events)
    assert sorted(n for e in events for n in e.needs.values_list("pk", flat=True)) == sorted(
        n.pk for n in needs
    )
    for event, planned in zip(events, plan.events, strict=True):
        assert event.planner_key == planned.key
        registrations = event.registrations.all()
        assert {(r.status, r.source, r.invited_at) for r in registrations} == {
            (Registration.Status.INVITED, Registration.Source.PLANNER, None)
        }
        assert sorted(
            r.organization_id for r in registrations if r.side == Side.ENTERPRISE
        ) == sorted(planned.enterprise_ids)
        assert sorted(
            r.organization_id for r in registrations if r.side == Side.PROVIDER
        ) == sorted(planned.provider_ids)
    assert len({s.organization_id for s in solutions}) == 5


def test_run_planner_stores_quality_progress_and_notes():
    catalog()
    season = SeasonFactory(target_events=2)

    plan = services.run_planner(season.pk)

    season.refresh_from_db()
    assert season.plan_status == Season.PlanStatus.PLANNED
    assert season.plan_progress == 100
    assert season.planned_at is not None
    assert season.plan_quality["coverage"] == plan.quality.coverage == 1.0
    assert season.plan_quality["balance"] == plan.quality.balance
    assert season.plan_quality["intro_cohesion"] == 1.0
    assert season.plan_quality["needs_total"] == 12
    assert season.plan_quality["events_planned"] == 2
    assert season.plan_quality["meets_targets"] is True
    assert services.stored_quality(season) == plan.quality
    assert "coverage        1.000" in services.quality_report(season)
    assert "No matching model stored yet" in words(season)


def test_run_planner_again_replaces_drafts_and_keeps_published_events():
    catalog()
    season = SeasonFactory(target_events=2)
    services.run_planner(season.pk)
    first, second = season.events.order_by("date")
    services.publish_events([first], by=None)
    kept_needs = set(first.needs.values_list("pk", flat=True))
    kept_registrations = set(first.registrations.values_list("pk", flat=True))

    services.run_planner(season.pk)

    first.refresh_from_db()
    assert first.status == Event.Status.PUBLISHED
    assert set(first.needs.values_list("pk", flat=True)) == kept_needs
    assert set(first.registrations.values_list("pk", flat=True)) == kept_registrations
    assert not Event.objects.filter(pk=second.pk).exists()
    (draft,) = season.events.filter(status=Event.Status.DRAFT)
    assert draft.date != first.date
    assert set(draft.needs.values_list("pk", flat=True)).isdisjoint(kept_needs)
    assert draft.needs.count() == 12 - len(kept_needs)
    season.refresh_from_db()
    assert season.plan_quality["kept_events"] == 1
    assert words(season).startswith("1 published events kept")


def test_run_planner_with_the_target_reached_removes_drafts_and_plans_nothing():
    catalog()
    season = SeasonFactory(target_events=1)
    services.run_planner(season.pk)
    services.publish_events(season.events.all(), by=None)

    plan = services.run_planner(season.pk)

    assert plan.events == []
    assert season.events.filter(status=Event.Status.DRAFT).count() == 0
    assert "nothing to plan" in words(Season.objects.get(pk=season.pk))


def test_run_planner_failure_is_recorded_on_the_season():
    catalog()
    season = SeasonFactory(target_events=2, venues=[])

    with pytest.raises(DomainError):
        services.run_planner(season.pk)

    season.refresh_from_db()
    assert season.plan_status == Season.PlanStatus.FAILED
    assert words(season) == (
        "Planning failed: There is no venue to hold events: add one in admin first."
    )
    assert season.events.count() == 0


def test_run_planner_without_season_venues_uses_every_venue():
    catalog()
    venue = VenueFactory()
    season = SeasonFactory(target_events=1, venues=[])

    services.run_planner(season.pk)

    assert list(season.events.values_list("venue_id", flat=True)) == [venue.pk]
    assert "planned with every venue" in words(Season.objects.get(pk=season.pk))


# --- the job ----------------------------------------------------------------------------------


def test_plan_season_enqueues_one_job_that_plans_after_commit(run_on_commit):
    catalog()
    season = SeasonFactory(target_events=2)
    staff = StaffFactory()

    with run_on_commit():
        services.plan_season(season, by=staff)
        services.plan_season(season, by=staff)  # a double click
        assert Season.objects.get(pk=season.pk).plan_status == Season.PlanStatus.PLANNING
        assert season.events.count() == 0

    (message,) = OutboxMessage.objects.filter(task_name="events.plan_events")
    assert (message.kwargs, message.status) == ({"season_id": season.pk}, "done")
    season.refresh_from_db()
    assert (season.plan_status, season.plan_progress) == (Season.PlanStatus.PLANNED, 100)
    assert season.events.count() == 2


def test_plan_season_refuses_a_window_that_ends_before_it_starts():
    season = SeasonFactory(start=in_days(30), end=in_days(10))
    with pytest.raises(DomainError):
        services.plan_season(season, by=None)
    assert Season.objects.get(pk=season.pk).plan_status == Season.PlanStatus.NONE


def test_plan_events_task_records_a_permanent_failure(run_on_commit):
    season = SeasonFactory(venues=[])
    NeedFactory()

    with run_on_commit():
        services.plan_season(season, by=None)

    season.refresh_from_db()
    assert season.plan_status == Season.PlanStatus.FAILED
    assert "no venue" in words(season)
    assert OutboxMessage.objects.get(task_name="events.plan_events").status == "failed"


def test_plan_events_task_skips_a_deleted_season():
    from events.tasks import plan_events  # noqa: PLC0415

    assert plan_events(season_id=999_999) == "skipped"


# --- the command ------------------------------------------------------------------------------


def test_plan_events_command_creates_the_season_and_prints_plan_and_quality():
    catalog()
    VenueFactory(name="西岸大厅")
    out = StringIO()
    start, end = in_days(10), in_days(120)

    call_command(
        "plan_events",
        "--name",
        "2027 上半年",
        "--start",
        start.isoformat(),
        "--end",
        end.isoformat(),
        "--target",
        "2",
        "--weekly-cap",
        "1",
        stdout=out,
    )

    season = Season.objects.get(name="2027 上半年")
    assert (season.start, season.end, season.target_events, season.weekly_cap) == (
        start,
        end,
        2,
        1,
    )
    text = out.getvalue()
    for event in season.events.all():
        assert f"{event.date}  西岸大厅" in text
        assert event.title_zh in text
    assert "coverage        1.000  (12 of 12 needs have ≥3 of their top-10 providers" in text
    assert "target ≥ 0.95) ok" in text
    assert "target ≤ 1.5) ok" in text
    assert "target ≥ 0.9) ok" in text
    assert "The plan meets its quality targets." in text


def test_plan_events_command_replans_an_existing_season_by_id():
    catalog()
    season = SeasonFactory(target_events=1)
    out = StringIO()

    call_command("plan_events", "--season", str(season.pk), "--target", "2", stdout=out)
    call_command("plan_events", "--season", str(season.pk), stdout=out)

    assert Season.objects.get(pk=season.pk).target_events == 2
    assert season.events.count() == 2


def test_plan_events_command_needs_dates_for_a_new_season():
    with pytest.raises(CommandError, match="needs --start and --end"):
        call_command("plan_events", "--name", "新季", stdout=StringIO())


def test_plan_events_command_reports_a_domain_error():
    season = SeasonFactory(venues=[])
    NeedFactory()
    with pytest.raises(CommandError, match="no venue"):
        call_command("plan_events", "--season", str(season.pk), stdout=StringIO())


def test_planner_invitations_put_an_organization_of_both_kinds_on_the_enterprise_side():
    both = OrganizationFactory(kind=Organization.Kind.BOTH)
    needs, _solutions = catalog(enterprises=2)
    for need in needs[:3]:
        need.organization = both
        need.save(update_fields=["organization"])
    solution = SolutionFactory(organization=both)
    for need in needs[3:]:
        add_match(need, solution, rank=0, score=0.99)
    season = SeasonFactory(target_events=1)

    services.run_planner(season.pk)

    registration = Registration.objects.get(organization=both)
    assert registration.side == Side.ENTERPRISE
    assert registration.event.needs.filter(organization=both).count() == 3


def test_run_planner_keeps_an_event_published_while_it_ran(monkeypatch):
    catalog()
    season = SeasonFactory(target_events=2)
    services.run_planner(season.pk)
    draft = season.events.first()
    real_plan = services.planning.plan_season

    def publish_meanwhile(inp):
        services.publish_events([draft], by=None)  # staff click "publish" mid-run
        return real_plan(inp)

    monkeypatch.setattr(services.planning, "plan_season", publish_meanwhile)
    services.run_planner(season.pk)

    assert Event.objects.get(pk=draft.pk).status == Event.Status.PUBLISHED
    assert season.events.filter(status=Event.Status.DRAFT).count() == 2
    assert "Events were published while the planner ran" in words(Season.objects.get(pk=season.pk))


@pytest.fixture(autouse=True)
def _in_english(english):
    """The messages asserted in this module are the English ones."""
