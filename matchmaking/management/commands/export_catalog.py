from pathlib import Path

from django.core.management.base import BaseCommand

from matchmaking.catalog_io import dump_catalog, export_catalog
from matchmaking.models import Status


class Command(BaseCommand):
    help = (
        "Write the catalog (organizations, needs, solutions) as an aiplus-catalog/1 document "
        "(catalog-format.md) to FILE, or to standard output. The export INCLUDES PRIVATE "
        "CONTACT DETAILS (names, phone numbers, email addresses) that the site shows to the "
        "other side only after both agreed to meet: it is for programme staff only; keep the "
        "file accordingly."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "file", nargs="?", metavar="FILE", help="where to write; standard output if omitted"
        )
        parser.add_argument(
            "--status",
            choices=Status.values,
            help="only needs and solutions in this status, and their organizations",
        )

    def handle(self, *args, **options) -> None:
        text = dump_catalog(export_catalog(status=options["status"]))
        if options["file"] and options["file"] != "-":
            Path(options["file"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
