"""Benchmark a full re-match on real Celery workers: 1 worker process against N.

    REDIS_URL=redis://… python manage.py bench_workers --needs 10000 --solutions 5000 --workers 2

Seeds a generated published round (bench.bulk_import.seed_published_round) on a scratch
database, then for each worker count starts `celery worker --concurrency=W` on the
broker, queues a full re-match (`services.matching.start_full_run`, as the admin button
does) and times it from the request to the flip. Each chunk task loads its needs,
scores them and writes their rows (COPY); fitting and the solution-side merge stay
in one task. Reports the speedup, the serial fraction it implies (Amdahl:
T_N = T_1 (s + (1 - s) / N)), the central phases' share of the one-worker run, and the
projected time of a larger run on more workers. Removes what it wrote afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.bulk_import import KEY_PREFIX, seed_published_round
from core.models import Organization, OutboxMessage
from matchmaking.models import Match, MatchingState, MatchRun, Need, PendingMatch, Solution
from matchmaking.services import matching

TARGET_SPEEDUP_2 = 1.4
ROOT = Path(settings.BASE_DIR)


class Command(BaseCommand):
    help = "Time a full re-match on 1 and on N Celery worker processes (see docs/BENCHMARKS.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--needs", type=int, default=10_000)
        parser.add_argument("--solutions", type=int, default=5_000)
        parser.add_argument("--workers", type=int, default=2, help="N (compared with 1)")
        parser.add_argument("--chunk-needs", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--project-seconds",
            type=float,
            default=388.0,
            help="one-process time of the larger run to project (default: 100,000 x 50,000 "
            "chunked engine, issue 13)",
        )
        parser.add_argument("--project-workers", type=int, default=8)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options) -> None:
        if not settings.REDIS_URL:
            raise CommandError("Set REDIS_URL: the benchmark runs real workers on a broker.")
        if Need.objects.exists() or Solution.objects.exists() or MatchRun.objects.exists():
            raise CommandError(
                "The catalog is not empty: point DATABASE_URL at a scratch database."
            )
        first_outbox = (
            OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1
        try:
            seeded = seed_published_round(options["needs"], options["solutions"], options["seed"])
            self.stdout.write(f"seeded {seeded} published records; load {_load()}")
            times = {}
            for workers in (1, options["workers"]):
                times[workers] = self._timed_run(workers, options["chunk_needs"])
        finally:
            _remove_everything(first_outbox)
        self._report(times, options)

    def _timed_run(self, workers: int, chunk_needs: int) -> dict:
        handle, name = tempfile.mkstemp(prefix="bench-worker-", suffix=".log")
        os.close(handle)
        log = Path(name)
        env = {**os.environ, "MATCHING_CHUNK_NEEDS": str(chunk_needs)}
        with log.open("w") as out:
            process = subprocess.Popen(  # noqa: S603 -- our own command line
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config.celery_app",
                    "worker",
                    "--pool=prefork",
                    f"--concurrency={workers}",
                    "--loglevel=WARNING",
                    "--without-gossip",
                    "--without-mingle",
                    "-n",
                    f"bench-{os.getpid()}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                _wait_until_ready(process, log)
                load = _load()
                started = time.perf_counter()
                run = matching.start_full_run()
                while True:
                    run.refresh_from_db()
                    if run.status in (MatchRun.Status.SUCCEEDED, MatchRun.Status.FAILED):
                        break
                    if process.poll() is not None:
                        raise CommandError("the worker stopped:\n" + log.read_text()[-2000:])
                    time.sleep(0.2)
                seconds = time.perf_counter() - started
            finally:
                process.terminate()
                process.wait(timeout=60)
        if run.status != MatchRun.Status.SUCCEEDED:
            raise CommandError(f"run failed: {run.error}")
        # Where the wall time went besides the phases: waiting for a worker to take
        # the first task, and the span the run's own clock saw (first task to flip).
        queued = (run.started_at - run.created_at).total_seconds()
        running = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            f"{workers} worker process(es): {seconds:.1f} s, {run.chunks_total} chunks, "
            f"load before {load}; queued {queued:.2f} s, first task to flip {running:.2f} s; "
            f"phases {run.timings}"
        )
        return {
            "seconds": seconds,
            "queued_s": round(queued, 3),
            "first_task_to_flip_s": round(running, 3),
            "timings": run.timings,
            "load": load,
            "run": run.pk,
        }

    def _report(self, times: dict, options) -> None:
        n = options["workers"]
        one, many = times[1]["seconds"], times[n]["seconds"]
        speedup = one / many
        serial = min(max((many / one - 1 / n) / (1 - 1 / n), 0.0), 1.0)
        t = times[1]["timings"]
        central = sum(t.get(p, 0.0) for p in ("load", "fit", "merge", "persist"))
        central_share = central / max(t.get("total", one), 1e-9)
        workers = options["project_workers"]
        projected = options["project_seconds"] * (serial + (1 - serial) / workers)
        # The phases that stay in one task bound the serial fraction from above.
        projected_central = options["project_seconds"] * (
            central_share + (1 - central_share) / workers
        )
        report = {
            "needs": options["needs"],
            "solutions": options["solutions"],
            "workers": n,
            "one_worker_s": round(one, 2),
            "n_workers_s": round(many, 2),
            "speedup": round(speedup, 3),
            "serial_fraction_amdahl": round(serial, 3),
            "central_phases_share_one_worker": round(central_share, 3),
            "projected_s": round(projected, 1),
            "projected_with_central_share_s": round(projected_central, 1),
            "projected_workers": workers,
            "projected_from_one_process_s": options["project_seconds"],
            "load": [times[1]["load"], times[n]["load"], _load()],
            "runs": {
                str(w): {key: times[w][key] for key in ("queued_s", "first_task_to_flip_s")}
                | {"phases": times[w]["timings"]}
                for w in (1, n)
            },
            "target_speedup_2": TARGET_SPEEDUP_2,
        }
        self.stdout.write(
            f"speedup {n} workers / 1: {speedup:.2f} (target >= {TARGET_SPEEDUP_2} for 2); "
            f"serial fraction (Amdahl) {serial:.2f}; central phases {central_share:.0%} of the "
            f"one-worker run; projected {options['project_seconds']:.0f} s run on {workers} "
            f"workers: {projected:.0f} s ({projected_central:.0f} s with the central share)"
        )
        if options["json"]:
            self.stdout.write(json.dumps(report))


def _wait_until_ready(process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if " ready." in log.read_text(errors="replace"):
            time.sleep(2)  # the pool's children finish setting Django up
            return
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise CommandError("the worker did not start:\n" + log.read_text()[-2000:])


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _remove_everything(first_outbox: int) -> None:
    MatchingState.objects.all().delete()
    Match.objects.all().delete()
    MatchRun.objects.all().delete()
    PendingMatch.objects.all().delete()
    Need.objects.filter(source_key__startswith=KEY_PREFIX).delete()
    Solution.objects.filter(source_key__startswith=KEY_PREFIX).delete()
    Organization.objects.filter(source_key__startswith=KEY_PREFIX).delete()
    OutboxMessage.objects.filter(pk__gte=first_outbox).delete()
