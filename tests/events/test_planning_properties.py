"""Placement invariants for any window, caps, blackout dates and venue availability."""

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.planning import make_demo_instance
from events.planning import plan_season

DEMO = make_demo_instance(1)
HALL, ROOM = DEMO.venues


@st.composite
def scenarios(draw):
    start = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
    end = start + timedelta(days=draw(st.integers(0, 90)))
    window = [start + timedelta(days=k) for k in range((end - start).days + 1)]
    blackout = draw(st.sets(st.sampled_from(window), max_size=len(window) // 2))
    hall_closed = draw(st.sets(st.sampled_from(window), max_size=len(window)))
    return replace(
        DEMO,
        start=start,
        end=end,
        weekly_cap=draw(st.integers(1, 3)),
        daily_cap=draw(st.integers(1, 2)),
        blackout_dates=frozenset(blackout),
        venues=[replace(HALL, unavailable=frozenset(hall_closed)), ROOM],
        seed=draw(st.integers(0, 3)),
    )


@settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(scenarios())
def test_plan_season_placement_invariants_hold(inp):
    plan = plan_season(inp)

    venues = {v.id: v for v in inp.venues}
    dates = [e.date for e in plan.events]
    assert all(inp.start <= d <= inp.end for d in dates)
    assert all(inp.calendar.is_working_day(d) for d in dates)
    assert not set(dates) & set(inp.blackout_dates)
    assert all(e.date not in venues[e.venue_id].unavailable for e in plan.events)
    assert all(
        venues[e.venue_id].capacity >= max(len(e.enterprise_ids), len(e.provider_ids))
        for e in plan.events
    )
    assert max(Counter(d.isocalendar()[:2] for d in dates).values(), default=0) <= inp.weekly_cap
    assert max(Counter(dates).values(), default=0) <= inp.daily_cap
    assert len({(e.date, e.venue_id) for e in plan.events}) == len(plan.events)
    accounted = sorted(
        [n for e in plan.events for n in e.need_ids] + [u.need_id for u in plan.unplaced]
    )
    assert accounted == sorted(n.id for n in inp.needs)
