"""Benchmark the catalog search's latency at 10,000 needs against /healthz (bench/search.py).

    python manage.py bench_search [--needs 10000] [--databases postgresql sqlite] [--json]

Results and their reading: docs/BENCHMARKS.md, "Search".
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from bench.search import TARGET_RATIO, populate, run


class Command(BaseCommand):
    help = "Search p95 at 10,000 published needs vs /healthz p95, on PostgreSQL and SQLite."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--needs", type=int, default=10_000)
        parser.add_argument("--users", type=int, default=10)
        parser.add_argument("--seconds", type=int, default=30)
        parser.add_argument(
            "--edit-every",
            type=float,
            default=2.0,
            help="seconds between two need edits during the third (live) search phase",
        )
        parser.add_argument(
            "--databases",
            nargs="+",
            default=["postgresql", "sqlite"],
            choices=["postgresql", "sqlite"],
        )
        parser.add_argument("--output", help="directory for locust and gunicorn logs")
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--compare-postgres",
            action="store_true",
            help="relevance and latency of PostgreSQL full-text and trigram search next to "
            "the catalog search, on this (PostgreSQL) database (bench/search_postgres.py)",
        )
        parser.add_argument(
            "--populate",
            type=int,
            metavar="N",
            help="(internal) add N published needs to this database and build the index",
        )

    def handle(self, *args, **options) -> None:
        if options["compare_postgres"]:
            from bench.search_postgres import compare  # noqa: PLC0415

            self.stdout.write(json.dumps(compare(), indent=1))
            return
        if options["populate"]:
            self.stdout.write(json.dumps(populate(options["populate"])))
            return
        options_ns = type("Args", (), options)
        results = run(options_ns)
        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=1))
            return
        for r in results:
            self.stdout.write(
                f"{r['database']:10} {r['needs_indexed']} needs indexed in {r['index_build_s']} s "
                f"(file read {r['index_file_read_s']} s, an edit followed in "
                f"{r['follow_edit_s']} s, a withdrawal in {r['follow_withdrawal_s']} s); "
                f"/healthz p95 {r['healthz']['p95_ms']} ms, search p95 {r['search']['p95_ms']} ms "
                f"(p50 {r['search']['p50_ms']} ms): ratio {r['p95_ratio']} "
                f"[with {r['search_live']['edits']} edits: search p95 "
                f"{r['search_live']['p95_ms']} ms, ratio {r['p95_ratio_live']}] "
                f"(target ≤ {TARGET_RATIO}: {'met' if r['target_met'] else 'missed'})"
            )
