import time

from celery import current_app
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Max
from django.test.utils import override_settings

from matchmaking.models import MatchRun
from matchmaking.services import matching

FINISHED = (MatchRun.Status.SUCCEEDED, MatchRun.Status.FAILED, MatchRun.Status.SUPERSEDED)
# Counts and phases in the order a reader wants them (PostgreSQL keeps JSON keys in its own).
COUNTS = ("needs", "solutions", "pairs", "lists_changed", "lists_refilled", "rows_written")
PHASES = ("load", "fit", "chunks", "merge", "persist", "score_and_write", "save_model", "total")


def _in_order(values: dict, order: tuple[str, ...]) -> list[tuple[str, object]]:
    return [(key, values[key]) for key in order if key in values] + [
        (key, value) for key, value in values.items() if key not in order
    ]


class Command(BaseCommand):
    help = (
        "Recompute every match: queues the full re-match job the site runs (the admin button, "
        "the nightly schedule). Without a broker (no REDIS_URL) it runs here and the command "
        "returns when it is done; with a broker the Celery workers compute it in chunks, and "
        "--wait follows its progress. A run already queued or computing is reused. Prints the "
        "run's counts and phase timings; exits non-zero if the run failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--wait",
            action="store_true",
            help="with a broker: follow the run's progress until it is done",
        )
        parser.add_argument(
            "--chunk-needs",
            type=int,
            metavar="N",
            help="needs per chunk task (default: the MATCHING_CHUNK_NEEDS setting); the split "
            "is made here, so it applies to the workers too",
        )
        parser.add_argument(
            "--poll-interval",
            type=float,
            default=2.0,
            metavar="SECONDS",
            help="with --wait: seconds between progress reports (default: 2)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            metavar="SECONDS",
            help="with --wait: give up waiting after this long (the run goes on)",
        )

    def handle(self, *args, **options) -> None:
        chunk_needs = options["chunk_needs"]
        if chunk_needs is not None and chunk_needs < 1:
            raise CommandError("--chunk-needs must be at least 1.")
        run = self._start(chunk_needs)
        run.refresh_from_db()
        if run.status not in FINISHED:
            eager = current_app.conf.task_always_eager
            if eager and transaction.get_connection().in_atomic_block:
                # Called inside a transaction: the job starts when it commits.
                self.stdout.write(f"Run #{run.pk} is queued; it runs when the transaction commits.")
                return
            if not options["wait"] and not eager:
                self.stdout.write(
                    f"Run #{run.pk} is {run.get_status_display().lower()}; the workers compute "
                    "it. Follow it in the admin (Matching runs) or run this command with --wait."
                )
                return
            # Eager mode, yet unfinished: another process is computing it; follow that.
            run = self._follow(run, options["poll_interval"], options["timeout"])
        self._report(run)

    def _start(self, chunk_needs: int | None) -> MatchRun:
        if chunk_needs is None:
            return matching.start_full_run()
        # The chunk size is read when the run is prepared (fitted and split), which is
        # normally the first thing its task does on a worker. Preparing it here, before
        # the task is published on commit, makes the split this command's; the task then
        # finds the run prepared and goes on with the chunks.
        with transaction.atomic():
            newest = MatchRun.objects.aggregate(newest=Max("pk"))["newest"] or 0
            run = matching.start_full_run()
            if run.pk <= newest:
                self.stderr.write(
                    f"Run #{run.pk} was already queued or computing; it keeps its own chunks "
                    "(--chunk-needs does not apply)."
                )
                return run
            with override_settings(MATCHING_CHUNK_NEEDS=chunk_needs):
                matching.prepare_full_run(run.pk)
        return run

    def _follow(self, run: MatchRun, interval: float, timeout: float | None) -> MatchRun:
        started = time.monotonic()
        last = None
        while True:
            run.refresh_from_db()
            line = (
                f"Run #{run.pk}: {run.get_status_display().lower()}, {run.progress}% "
                f"({run.chunks_done}/{run.chunks_total} chunks)"
            )
            if line != last:
                self.stdout.write(line)
                last = line
            if run.status in FINISHED:
                return run
            if timeout is not None and time.monotonic() - started > timeout:
                raise CommandError(
                    f"Run #{run.pk} is still {run.get_status_display().lower()} after "
                    f"{timeout:g} s; it goes on in the background."
                )
            time.sleep(interval)

    def _report(self, run: MatchRun) -> None:
        counts = ", ".join(f"{name} {value}" for name, value in _in_order(run.counts, COUNTS))
        timings = dict(run.timings)
        speed = timings.pop("persist_rows_per_s", None)
        phases = ", ".join(
            f"{name} {value:.3f} s"
            + (f" ({speed:,} rows/s)" if name == "persist" and speed else "")
            for name, value in _in_order(timings, PHASES)
        )
        summary = f"Run #{run.pk} {run.get_status_display().lower()}"
        if run.status == MatchRun.Status.FAILED:
            raise CommandError(f"{summary}: {run.error or 'no error recorded'}")
        self.stdout.write(self.style.SUCCESS(f"{summary} ({run.algorithm_version})."))
        self.stdout.write(f"  counts:  {counts or '-'}")
        self.stdout.write(f"  timings: {phases or '-'}")
