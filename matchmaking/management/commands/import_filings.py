from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from matchmaking.models import FilingList
from matchmaking.services.filings import FilingTableError, import_filing_list


class Command(BaseCommand):
    help = (
        "Import a published list of filed generative-AI services (XLSX or CSV with the "
        "columns 序号, 属地, 模型/服务名称, 备案单位, 备案号/登记编号, 备案时间). A list is "
        "identified by --kind, --source and --date: importing it again replaces its rows. "
        "Rows that cannot be read are reported as FILE: row N, FIELD: REASON and left out. "
        "Every solution stating a filing number is checked again afterwards."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE", help="the XLSX or CSV file")
        parser.add_argument("--kind", choices=FilingList.Kind.values, required=True)
        parser.add_argument("--source", required=True, help="who published it, e.g. 上海市网信办")
        parser.add_argument("--date", required=True, help="the list's date, YYYY-MM-DD")

    def handle(self, *args, **options) -> None:
        name = options["file"]
        try:
            list_date = date.fromisoformat(options["date"])
        except ValueError as error:
            raise CommandError(f"--date: {options['date']!r} is not a date (YYYY-MM-DD)") from error
        try:
            result = import_filing_list(
                by=None,
                kind=options["kind"],
                source=options["source"],
                list_date=list_date,
                content=Path(name).read_bytes(),
                file_name=Path(name).name,
            )
        except OSError as error:
            raise CommandError(
                f"{name}: cannot read the file: {error.strerror or error}"
            ) from error
        except FilingTableError as error:
            raise CommandError(f"{name}: {error}") from error
        for problem in result.errors:
            self.stderr.write(f"{name}: {problem}")
        verb = "imported" if result.created else "re-imported (rows replaced)"
        self.stdout.write(
            f"{result.filing_list}: {verb}, {result.rows} rows, {len(result.errors)} unreadable; "
            f"filing status changed for {result.changed_solutions} solutions."
        )
