import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from matchmaking.catalog_io import (
    IMPORT_STATUSES,
    CatalogImportError,
    import_catalog,
    parse_document,
)
from matchmaking.models import MatchRun, Status

STAGES = {"checked": "checking", "written": "writing", "published": "publishing"}


class ProgressBar:
    """A one-line bar on a terminal: stage, records done of the file's, redrawn ≤ 10×/s."""

    WIDTH = 30

    def __init__(self, stream, name: str) -> None:
        self.stream = stream
        self.name = name
        self.shown_at = 0.0
        self.drawn = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.shown_at < 0.1 and done < total:
            return
        self.shown_at = now
        filled = self.WIDTH * done // max(total, 1)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r{self.name}: [{bar}] {STAGES[stage]} {done}/{total}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False


class Command(BaseCommand):
    help = (
        "Import organizations, needs and solutions from catalog files (format aiplus-catalog/1, "
        "see catalog-format.md). Records are matched on their key: importing a file again "
        "changes nothing, an edited file updates its records in place. Each file is imported "
        "whole or not at all; every problem is reported as "
        "FILE: TYPE[KEY] FIELD: REASON, and the command then exits with a non-zero status."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "files", nargs="+", metavar="FILE", help="a catalog JSON file; - reads standard input"
        )
        parser.add_argument(
            "--status",
            choices=[str(status) for status in IMPORT_STATUSES],
            default=Status.DRAFT,
            help=(
                "status of the imported needs and solutions (default: draft). Use approved for "
                "a solicitation round already reviewed: the records are published and matched. "
                "Existing records only move forward (draft → submitted → approved), never back."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the files and count what would change, but write nothing",
        )

    def handle(self, *args, **options) -> None:
        failed = 0
        for name in options["files"]:
            bar = ProgressBar(sys.stderr, name) if sys.stderr.isatty() else None
            try:
                raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
                result = import_catalog(
                    parse_document(raw),
                    status=options["status"],
                    dry_run=options["dry_run"],
                    progress=bar,
                )
            except OSError as error:
                self.stderr.write(f"{name}: cannot read the file: {error.strerror or error}")
                failed += 1
                continue
            except CatalogImportError as error:
                for problem in error.errors:
                    self.stderr.write(f"{name}: {problem}")
                self.stderr.write(
                    f"{name}: {len(error.errors)} error(s); nothing was imported from this file."
                )
                failed += 1
                continue
            finally:
                if bar is not None:
                    bar.close()
            prefix = "(dry run, nothing written) " if result.dry_run else ""
            self.stdout.write(f"{name}: {prefix}{result}; {result.published} published")
            self._report_matching(name, result)
        if failed:
            raise CommandError(f"{failed} of {len(options['files'])} file(s) not imported.")

    def _report_matching(self, name: str, result) -> None:
        if result.matching == "pending":
            self.stdout.write(f"{name}: one incremental matching run queued for the batch")
        elif result.match_run_id:
            run = MatchRun.objects.get(pk=result.match_run_id)
            self.stdout.write(
                f"{name}: full re-match run #{run.pk}: {run.get_status_display().lower()}"
            )
