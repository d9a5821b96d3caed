"""The product owner's bar on generated instances: coverage, balance, introduction cohesion.

Demo size (≈40 needs, ≈20 providers, 6 events) and a mid-sized instance (3,000 needs, 1,000
providers, 30 events, 30 providers per event); the 10,000-need case runs in the benchmark.
"""

import pytest

from bench.planning import make_demo_instance, make_planning_instance
from events.planning import plan_season


def meets(quality):
    return (quality.coverage >= 0.95, quality.balance <= 1.5, quality.intro_cohesion >= 0.9)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_plan_season_demo_instance_meets_targets(seed):
    inp = make_demo_instance(seed)

    plan = plan_season(inp)

    assert meets(plan.quality) == (True, True, True)
    assert plan.quality.events_planned == 6
    assert plan.unplaced == []


@pytest.fixture(scope="module")
def mid_instance():
    return make_planning_instance(
        3_000, 1_000, seed=7, target_events=30, max_providers_per_event=30
    )


@pytest.fixture(scope="module")
def mid_plan(mid_instance):
    return plan_season(mid_instance)


def test_plan_season_mid_instance_meets_targets(mid_plan):
    assert meets(mid_plan.quality) == (True, True, True)
    assert mid_plan.quality.events_planned == 30
    assert mid_plan.unplaced == []


def test_plan_season_mid_instance_respects_the_provider_cap(mid_plan):
    assert max(len(e.provider_ids) for e in mid_plan.events) <= 30


def test_plan_season_mid_instance_places_every_need_once(mid_instance, mid_plan):
    placed = sorted(n for e in mid_plan.events for n in e.need_ids)

    assert placed == sorted(n.id for n in mid_instance.needs)


def test_plan_season_mid_instance_event_keys_unique(mid_plan):
    keys = [e.key for e in mid_plan.events]

    assert len(set(keys)) == len(keys)


def test_plan_season_mid_instance_same_seed_same_plan(mid_instance, mid_plan):
    again = plan_season(mid_instance)

    assert again == mid_plan
