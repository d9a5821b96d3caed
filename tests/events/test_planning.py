"""Season planner specifications on small, hand-made and demo-sized inputs."""

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from bench.planning import CAPABILITIES, INDUSTRIES, make_demo_instance
from events.calendar_cn import load_default_calendar
from events.planning import (
    NO_DATE,
    SEASON_FULL,
    Introduction,
    PlanNeed,
    PlanningInput,
    PlanQuality,
    ProviderMatch,
    Venue,
    collapse_matches,
    format_quality,
    plan_season,
)

CALENDAR = load_default_calendar()
DEMO = make_demo_instance(0)


def make_need(need_id, industry, capabilities, providers, org=None):
    matches = tuple(ProviderMatch(p, round(0.9 - 0.02 * r, 2)) for r, p in enumerate(providers))
    return PlanNeed(need_id, org or f"org-{need_id}", industry, tuple(capabilities), matches)


def make_input(needs, **overrides):
    defaults = {
        "needs": needs,
        "start": date(2025, 3, 3),
        "end": date(2025, 6, 27),
        "venues": [Venue("hall", "会议中心", 50)],
        "calendar": CALENDAR,
        "industry_names": {code: (zh, en) for code, (zh, en, _) in INDUSTRIES.items()},
        "capability_names": CAPABILITIES,
    }
    return PlanningInput(**{**defaults, **overrides})


def themed_manufacturing_needs():
    """60 manufacturing needs in three capabilities, each served by its own 10 providers."""
    needs = []
    for capability in ("computer_vision", "knowledge_qa", "speech"):
        pool = [f"{capability}-p{k}" for k in range(10)]
        for n in range(20):
            rotated = pool[n % 10 :] + pool[: n % 10]
            needs.append(make_need(f"{capability}-{n}", "manufacturing", [capability], rotated))
    return needs


def working_days(start, end):
    return CALENDAR.working_days(start, end)


def test_plan_season_large_domain_split_into_capability_themes():
    inp = make_input(themed_manufacturing_needs(), target_events=3)

    plan = plan_season(inp)

    themes = {e.theme_capability: {n.split("-")[0] for n in e.need_ids} for e in plan.events}
    assert themes == {
        "computer_vision": {"computer_vision"},
        "knowledge_qa": {"knowledge_qa"},
        "speech": {"speech"},
    }


def test_plan_season_titles_name_domain_and_theme_in_both_languages():
    inp = make_input(themed_manufacturing_needs(), target_events=3)

    plan = plan_season(inp)

    vision = next(e for e in plan.events if e.theme_capability == "computer_vision")
    assert vision.title_zh == "大模型+工业制造 供需对接会 · 视觉检测与识别专场"
    assert vision.title_en == "AI+ Manufacturing Matchmaking · Computer vision session"
    assert vision.key == "manufacturing-0" + str(plan.events.index(vision) + 1)


def test_plan_season_invites_only_the_needed_providers_under_a_tight_cap():
    shared = ["shared-a", "shared-b", "shared-c"]
    needs = [
        make_need(f"n{k}", "finance", ["knowledge_qa"], [f"own-{k}-{r}" for r in range(7)] + shared)
        for k in range(10)
    ]
    inp = make_input(needs, target_events=1, max_providers_per_event=3)

    plan = plan_season(inp)

    assert set(plan.events[0].provider_ids) == set(shared)
    assert plan.quality.coverage == 1.0


def test_plan_season_introductions_share_an_event_even_outside_top_matches():
    needs = themed_manufacturing_needs()
    intros = [
        Introduction("org-speech-3", "outsider-1", "speech-3"),
        Introduction("org-knowledge_qa-5", "outsider-2"),  # about the enterprise, no need
    ]
    inp = make_input(needs, target_events=3, introductions=intros)

    plan = plan_season(inp)

    speech = next(e for e in plan.events if "speech-3" in e.need_ids)
    qa = next(e for e in plan.events if "knowledge_qa-5" in e.need_ids)
    assert speech.introduced_provider_ids == ("outsider-1",)
    assert qa.introduced_provider_ids == ("outsider-2",)
    assert plan.quality.intro_cohesion == 1.0


def test_plan_season_tiny_domain_merged_with_related_industry():
    big = [
        make_need(f"m{k}", "manufacturing", ["computer_vision"], list("ABCDE")) for k in range(24)
    ]
    tiny = [make_need(f"a{k}", "automotive", ["speech"], list("ABCFG")) for k in range(3)]
    inp = make_input(
        big + tiny,
        target_events=4,
        related_industries={"automotive": ("manufacturing",)},
    )

    plan = plan_season(inp)

    assert {e.domain for e in plan.events} == {"manufacturing+automotive"}
    assert plan.events[0].title_zh.startswith("大模型+工业制造·汽车与智能终端 供需对接会")
    assert [note.values for note in plan.notes] == [
        {
            "first_industries": ["automotive"],
            "first": 3,
            "second_industries": ["manufacturing"],
            "second": 24,
        }
    ]
    assert plan.notes[0].message.startswith("Merged %(first_industries)s")


def test_plan_season_few_needs_lowers_event_count_and_says_so():
    inp = replace(DEMO, target_events=50)

    plan = plan_season(inp)

    assert plan.quality.events_planned == 6
    note = plan.notes[0]
    assert note.message % note.values == (
        "Planned 6 events instead of the target 50: 40 needs fill at most 6 events of at "
        "least 6 needs each."
    )


def test_plan_season_events_only_on_working_days():
    inp = replace(DEMO, start=date(2025, 4, 1), end=date(2025, 5, 9), weekly_cap=2)

    plan = plan_season(inp)

    assert [CALENDAR.is_working_day(e.date) for e in plan.events] == [True] * 6


def test_plan_season_weekly_cap_one_puts_one_event_in_each_week():
    inp = replace(DEMO, start=date(2025, 3, 3), end=date(2025, 4, 13), weekly_cap=1)

    plan = plan_season(inp)

    weeks = Counter(e.date.isocalendar()[1] for e in plan.events)
    assert weeks == {10: 1, 11: 1, 12: 1, 13: 1, 14: 1, 15: 1}


def test_plan_season_blackout_dates_leave_only_the_open_days():
    window = working_days(date(2025, 3, 3), date(2025, 4, 30))
    open_days = window[::7][:6]
    inp = replace(
        DEMO,
        start=window[0],
        end=window[-1],
        weekly_cap=5,
        blackout_dates=frozenset(window) - set(open_days),
    )

    plan = plan_season(inp)

    assert [e.date for e in plan.events] == open_days


def test_plan_season_venue_hosts_one_event_per_day():
    inp = replace(DEMO, start=date(2025, 3, 3), end=date(2025, 3, 5), weekly_cap=6, daily_cap=2)

    plan = plan_season(inp)

    slots = Counter((e.date, e.venue_id) for e in plan.events)
    assert len(plan.events) == 6
    assert max(slots.values()) == 1
    assert max(Counter(e.date for e in plan.events).values()) == 2


def test_plan_season_unavailable_venue_is_not_used():
    hall, room = DEMO.venues
    closed = frozenset(working_days(DEMO.start, DEMO.end))
    inp = replace(DEMO, venues=[replace(hall, unavailable=closed), room])

    plan = plan_season(inp)

    assert {e.venue_id for e in plan.events} == {room.id}


def test_plan_season_window_too_short_leaves_needs_unplaced_with_reason():
    inp = replace(DEMO, start=date(2025, 3, 3), end=date(2025, 3, 3))

    plan = plan_season(inp)

    placed = len(plan.events[0].need_ids)
    assert len(plan.events) == 1
    assert {u.reason for u in plan.unplaced} == {NO_DATE}
    assert len(plan.unplaced) == 40 - placed
    assert plan.quality.needs_placed == placed


def test_plan_season_small_venue_leaves_excess_needs_out():
    needs = [make_need(f"n{k}", "finance", ["knowledge_qa"], list("ABCD")) for k in range(12)]
    inp = make_input(needs, target_events=2, venues=[Venue("room", "路演室", 5)])

    plan = plan_season(inp)

    assert [len(e.need_ids) for e in plan.events] == [5, 5]
    assert [u.reason for u in plan.unplaced] == [SEASON_FULL, SEASON_FULL]


def test_plan_season_no_needs_plans_nothing():
    inp = replace(DEMO, needs=[], introductions=[])

    plan = plan_season(inp)

    assert plan.events == []
    assert plan.unplaced == []


def test_plan_season_same_seed_same_plan():
    first = plan_season(make_demo_instance(3))
    second = plan_season(make_demo_instance(3))

    assert first == second


def test_collapse_matches_keeps_each_providers_best_solution():
    rows = [("p1", 0.5), ("p2", 0.8), ("p1", 0.9), ("p3", 0.8)]

    matches = collapse_matches(rows, limit=2)

    assert matches == (ProviderMatch("p1", 0.9), ProviderMatch("p2", 0.8))


def test_format_quality_renders_one_line_per_figure():
    quality = PlanQuality(
        coverage=0.975,
        balance=1.25,
        intro_cohesion=0.8,
        needs_total=40,
        needs_placed=40,
        needs_covered=39,
        needs_uncoverable=0,
        events_target=6,
        events_planned=6,
        largest_event=10,
        smallest_event=8,
        introductions_total=5,
        introductions_cohesive=4,
        providers_invited=14,
        invitations=30,
    )

    text = format_quality(quality)

    assert text.splitlines() == [
        "coverage        0.975  (39 of 40 needs have ≥3 of their top-10 providers invited; target ≥ 0.95) ok",
        "balance         1.25  (largest 10 ÷ smallest 8 needs per event; target ≤ 1.5) ok",
        "intro cohesion  0.800  (4 of 5 accepted introductions share an event; target ≥ 0.9) BELOW TARGET",
        (
            "events 6 (target 6); needs placed 40 of 40 (0 with fewer than 3 matched providers); "
            "providers invited 14 (30 invitations)"
        ),
    ]


def test_plan_season_event_dates_spread_across_the_window():
    inp = replace(DEMO, start=date(2025, 3, 3), end=date(2025, 12, 31))

    plan = plan_season(inp)

    gaps = [(b.date - a.date).days for a, b in zip(plan.events, plan.events[1:], strict=False)]
    assert min(gaps) >= 30
    assert plan.events[0].date - inp.start < timedelta(days=40)


def test_plan_season_events_sharing_a_theme_are_numbered_in_date_order():
    # 60 vision needs of one domain in three events: one theme, three distinct titles.
    needs = [
        replace(need, capabilities=("computer_vision",)) for need in themed_manufacturing_needs()
    ]

    plan = plan_season(make_input(needs, target_events=3))

    by_date = sorted(plan.events, key=lambda e: e.date)
    base_zh = "大模型+工业制造 供需对接会 · 视觉检测与识别专场"
    base_en = "AI+ Manufacturing Matchmaking · Computer vision session"
    assert [e.title_zh for e in by_date] == [f"{base_zh}（{n}）" for n in ("I", "II", "III")]
    assert [e.title_en for e in by_date] == [f"{base_en} {n}" for n in ("I", "II", "III")]


def test_plan_season_demo_titles_are_distinct():
    plan = plan_season(DEMO)

    assert len({e.title_zh for e in plan.events}) == len(plan.events)
    assert len({e.title_en for e in plan.events}) == len(plan.events)
