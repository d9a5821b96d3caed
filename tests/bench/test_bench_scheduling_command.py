"""The bench_scheduling command: its figures and its one-line JSON (not a timed test)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def output() -> str:
    out = StringIO()
    # A small planning instance keeps this test short; the scheduling workloads are full.
    call_command("bench_scheduling", "--json", "--needs", "400", stdout=out)
    return out.getvalue()


def test_bench_scheduling_json_is_one_object_on_the_last_line(output):
    figures = json.loads(output.strip().splitlines()[-1])

    assert {
        "ratio_unconstrained",
        "ratio_constrained",
        "greedy_ratio_unconstrained",
        "greedy_ratio_constrained",
        "double_bookings",
        "plan_coverage",
        "plan_balance",
        "plan_intro_cohesion",
    } <= figures.keys()
    assert figures["plan_needs"] == 400


def test_bench_scheduling_meets_the_bars(output):
    figures = json.loads(output.strip().splitlines()[-1])

    assert figures["ratio_unconstrained"] == 1.0
    assert figures["ratio_constrained"] >= 0.99
    assert figures["double_bookings"] == 0
    assert figures["violations"] == 0
    # The baseline really is worse where König guarantees everything fits.
    assert figures["greedy_ratio_unconstrained"] < 1.0
    assert figures["plan_coverage"] >= 0.95
    assert figures["plan_balance"] <= 1.5
    assert figures["plan_intro_cohesion"] >= 0.9


def test_bench_scheduling_prints_a_table_per_workload(output):
    for workload in (
        "single_event_unconstrained",
        "single_event_constrained",
        "season_unconstrained",
        "season_constrained",
    ):
        assert workload in output
    assert "Season planner (400 needs)" in output
