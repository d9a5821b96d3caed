"""Specifications of the scheduling benchmark's instances (bench/scheduling.py).

The full benchmark takes ~25 s and is run by ``bench_scheduling``; these tests check
that its instances are what it claims, and the scheduler's bar on the large event.
"""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from bench.scheduling import season, single_event, with_unavailability
from events.scheduling import SchedulingProblem, greedy_first_fit, schedule_meetings, verify


def degrees(problem: SchedulingProblem) -> Counter:
    return Counter(o for r in problem.requests for o in (r.enterprise, r.provider))


@pytest.fixture(scope="module")
def event() -> SchedulingProblem:
    return single_event(0)


def test_single_event_is_as_tight_as_konig_allows(event: SchedulingProblem) -> None:
    degree = degrees(event)

    assert (len(degree), len(event.requests)) == (200, 1000)
    assert event.slots == max(degree.values())
    assert event.tables == math.ceil(1000 / event.slots)


def test_season_has_fifty_events_two_thousand_orgs_ten_thousand_requests() -> None:
    events = season(0)

    assert len(events) == 50
    assert sum(len(p.requests) for p in events) == 10_000
    assert len({o for p in events for o in degrees(p)}) == 2000
    assert all(p.slots == max(degrees(p).values()) for p in events)


def test_with_unavailability_blocks_one_to_three_slots_for_a_fifth(
    event: SchedulingProblem,
) -> None:
    constrained = with_unavailability(event, random.Random(1))

    assert len(constrained.unavailable) == 40
    assert {len(s) for s in constrained.unavailable.values()} == {1, 2, 3}


def test_schedule_meetings_large_event_schedules_all_where_greedy_falls_short(
    event: SchedulingProblem,
) -> None:
    result = schedule_meetings(event)
    greedy = greedy_first_fit(event)

    assert (result.scheduled_count, result.optimal, verify(result, event)) == (1000, True, [])
    assert greedy.scheduled_count < 990


def test_schedule_meetings_large_event_with_unavailability_meets_the_bar(
    event: SchedulingProblem,
) -> None:
    constrained = with_unavailability(event, random.Random(1))

    result = schedule_meetings(constrained)

    assert verify(result, constrained) == []
    assert result.scheduled_count / result.upper_bound >= 0.99
