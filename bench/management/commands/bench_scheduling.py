"""Benchmark the meeting scheduler and the season planner on seeded instances.

    python manage.py bench_scheduling            # a table per workload, then the figures
    python manage.py bench_scheduling --json     # the same, and one JSON object on the last line

Scheduling: one event with 200 organizations and 1,000 requests, and a season of 50
events with 2,000 organizations and 10,000 requests, each with and without
unavailability (bench/scheduling.py), against a greedy first-fit baseline.
Planning: the season planner on 10,000 generated needs (bench/planning.py).
Results go to docs/BENCHMARKS.md; it is not a timed test.
"""

from __future__ import annotations

import json
import os
import platform
import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandParser

from bench.planning import run_planning_benchmark
from bench.scheduling import run_scheduling_benchmark, summary

HEADLINE = (
    "ratio_unconstrained",
    "ratio_constrained",
    "greedy_ratio_unconstrained",
    "greedy_ratio_constrained",
    "double_bookings",
)
PLAN_KEYS = (
    "needs",
    "providers",
    "introductions",
    "events",
    "plan_coverage",
    "plan_balance",
    "plan_intro_cohesion",
    "largest_event",
    "smallest_event",
    "unplaced_needs",
    "meets_targets",
    "runtime_seconds",
)


class Command(BaseCommand):
    help = "Benchmark the meeting scheduler (vs greedy first-fit) and the season planner."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="end with one JSON line")
        parser.add_argument("--seed", type=int, default=0, help="instance seed (default 0)")
        parser.add_argument(
            "--needs", type=int, default=10_000, help="needs in the planning instance"
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        scheduling = run_scheduling_benchmark(options["seed"])
        self.stdout.write("Meeting scheduler (scheduled ÷ proven upper bound)")
        self.stdout.write(summary(scheduling))
        timings = scheduling["timings"]
        self.stdout.write(
            "run time (s): "
            + ", ".join(f"{name} {seconds:.2f}" for name, seconds in timings.items())
        )
        planning = run_planning_benchmark(needs=options["needs"], seed=options["seed"])
        self.stdout.write(f"\nSeason planner ({planning['needs']} needs)")
        for key in PLAN_KEYS:
            self.stdout.write(f"  {key:<22} {planning[key]}")
        figures = {key: scheduling[key] for key in HEADLINE}
        figures |= {
            "greedy_double_bookings": scheduling["greedy_double_bookings"],
            "violations": scheduling["violations"],
            "plan_coverage": planning["plan_coverage"],
            "plan_balance": planning["plan_balance"],
            "plan_intro_cohesion": planning["plan_intro_cohesion"],
            "plan_needs": planning["needs"],
            "plan_events": planning["events"],
            "plan_meets_targets": planning["meets_targets"],
            "plan_seconds": planning["runtime_seconds"],
            "scheduling_seconds": timings,
            "instances": {
                name: {k: v for k, v in run.items() if k != "detail"}
                for name, run in scheduling["instances"].items()
            },
            "seed": options["seed"],
            "total_seconds": round(time.perf_counter() - started, 2),
            "machine": f"{platform.machine()} × {os.cpu_count()} CPU, Python {platform.python_version()}",
            "date": datetime.now(UTC).date().isoformat(),
        }
        self.stdout.write(
            "\n"
            + "  ".join(
                f"{k}={figures[k]}"
                for k in (*HEADLINE, "plan_coverage", "plan_balance", "plan_intro_cohesion")
            )
        )
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False, sort_keys=True))
