import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from matchmaking.catalog_io import (
    IMPORT_STATUSES,
    CatalogImportError,
    import_catalog,
    parse_document,
)
from matchmaking.models import Status


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
            try:
                raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
                result = import_catalog(
                    parse_document(raw), status=options["status"], dry_run=options["dry_run"]
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
            prefix = "(dry run, nothing written) " if result.dry_run else ""
            self.stdout.write(f"{name}: {prefix}{result}; {result.published} published")
        if failed:
            raise CommandError(f"{failed} of {len(options['files'])} file(s) not imported.")
