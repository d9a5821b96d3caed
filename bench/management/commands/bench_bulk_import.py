"""Benchmark a bulk import: a round imported as published (and matched) in one go.

    python manage.py bench_bulk_import --needs 10000 --solutions 5000 [--json]

On a generated round (bench.bulk_import.round_document, written to a file and read
back as `import_catalog` does), three timings in one process, the matching jobs run
in-process as on the embedded default:

1. `import_catalog --status submitted` (writing the round, nothing published);
2. `import_catalog --status approved` on a fresh catalog: written, published and
   matched — the import's one batch queues one full run, which runs on commit;
3. `run_matching` on the round just published (the full recompute alone).

The figure is 2 ÷ (1 + 3): publishing and matching a round in one import against
importing it for review and re-matching by hand (issue 13: at most 2). Point
DATABASE_URL at a scratch database: the command refuses a catalog that is not empty,
and removes what it wrote (records, runs, matches, jobs) afterwards, also on error.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from pathlib import Path

from celery import current_app
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.bulk_import import KEY_PREFIX, round_document
from core.models import Organization, OutboxMessage
from matchmaking.catalog_io import import_catalog, parse_document
from matchmaking.models import Match, MatchingState, MatchRun, Need, PendingMatch, Solution
from matchmaking.services import matching

TARGET = 2.0
MATCHING_JOBS = ("matchmaking.run_full_matching", "matchmaking.match_pending")


class Command(BaseCommand):
    help = (
        "Benchmark importing a generated round as published and matched against importing "
        "it as submitted plus run_matching (see docs/BENCHMARKS.md). Needs a scratch database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--needs", type=int, default=10_000)
        parser.add_argument("--solutions", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--json", action="store_true", help="also print the figures as JSON on the last line"
        )

    def handle(self, *args, **options) -> None:
        if options["needs"] < 1 or options["solutions"] < 1:
            raise CommandError("--needs and --solutions must be at least 1")
        if Need.objects.exists() or Solution.objects.exists() or MatchRun.objects.exists():
            raise CommandError(
                "The catalog is not empty: point DATABASE_URL at a scratch database."
            )
        needs, solutions = options["needs"], options["solutions"]
        self.stdout.write(
            f"Bulk import benchmark: {needs} needs x {solutions} solutions, seed "
            f"{options['seed']}, database {connection.vendor}, load {_load()}"
        )
        started = time.perf_counter()
        document = round_document(needs, solutions, options["seed"])
        with tempfile.TemporaryDirectory(prefix="bench-bulk-") as folder:
            path = Path(folder) / "round.json"
            path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
            self.stdout.write(
                f"  generated {path.stat().st_size / 1e6:.1f} MB in "
                f"{time.perf_counter() - started:.1f} s"
            )
            eager = current_app.conf.task_always_eager
            current_app.conf.task_always_eager = True  # the embedded default's job runner
            first_outbox = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True)
            first_outbox = (first_outbox.first() or 0) + 1
            try:
                report = self._measure(path, needs + solutions, first_outbox)
            finally:
                current_app.conf.task_always_eager = eager
                _remove_everything(first_outbox)
        report |= {
            "needs": needs,
            "solutions": solutions,
            "database": connection.vendor,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}",
            "load_after": _load(),
            "target": TARGET,
        }
        self._print(report)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))

    def _measure(self, path: Path, records: int, first_outbox: int) -> dict:
        submitted = _timed(
            lambda: import_catalog(parse_document(path.read_bytes()), status="submitted")
        )
        self.stdout.write(f"  1. import as submitted          {submitted:8.1f} s")
        _remove_everything(first_outbox)

        approved = _timed(
            lambda: import_catalog(parse_document(path.read_bytes()), status="approved")
        )
        jobs = OutboxMessage.objects.filter(
            pk__gte=first_outbox, task_name__in=MATCHING_JOBS
        ).count()
        runs = list(MatchRun.objects.values_list("kind", "status"))
        published = Need.objects.published().count() + Solution.objects.published().count()
        if runs != [("full", "succeeded")] or published != records:
            raise CommandError(f"the approved import did not match its round: runs {runs}")
        self.stdout.write(
            f"  2. import as approved + matched {approved:8.1f} s "
            f"({jobs} matching job(s), {published} published)"
        )
        match_timings = MatchRun.objects.get().timings

        rematch = _timed(matching.start_full_run)
        last = MatchRun.objects.order_by("-pk").first()
        if last.status != MatchRun.Status.SUCCEEDED:
            raise CommandError(f"run_matching did not succeed: {last.status} {last.error}")
        self.stdout.write(f"  3. run_matching on the round     {rematch:8.1f} s")
        return {
            "import_submitted_s": round(submitted, 2),
            "import_approved_matched_s": round(approved, 2),
            "run_matching_s": round(rematch, 2),
            "matching_jobs_of_the_import": jobs,
            "import_run_timings": match_timings,
            "bulk_import_ratio": round(approved / (submitted + rematch), 3),
        }

    def _print(self, r: dict) -> None:
        verdict = "met" if r["bulk_import_ratio"] <= TARGET else "NOT met"
        self.stdout.write(
            f"bulk_import_ratio: approved+matched / (submitted + run_matching) = "
            f"{r['import_approved_matched_s']:.1f} / ({r['import_submitted_s']:.1f} + "
            f"{r['run_matching_s']:.1f}) = {r['bulk_import_ratio']:.3f}  target <= {TARGET} "
            f"{verdict}; load after {r['load_after']}"
        )


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _remove_everything(first_outbox: int) -> None:
    """What the benchmark wrote: the round, its runs and matches, the jobs it queued."""
    MatchingState.objects.all().delete()
    Match.objects.all().delete()
    MatchRun.objects.all().delete()  # cascades to chunks and vocabularies
    PendingMatch.objects.all().delete()
    Need.objects.filter(source_key__startswith=KEY_PREFIX).delete()
    Solution.objects.filter(source_key__startswith=KEY_PREFIX).delete()
    Organization.objects.filter(source_key__startswith=KEY_PREFIX).delete()
    OutboxMessage.objects.filter(pk__gte=first_outbox).delete()
