"""The one writer of spreadsheet files (CSV and XLSX) the platform hands out.

Cells hold what people typed — an attendee's name on the RSVP page, an organization's
name, a need's key in a catalog import — and a spreadsheet program runs a cell that
starts with `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula:
`=HYPERLINK(...)` or a DDE call in a staff member's Excel. Every text cell is therefore
neutralised here (OWASP "CSV injection"): a leading quote makes it plain text, and the
XLSX cell is written as a string, never as a formula. Numbers stay numbers.

Every export goes through `csv_bytes` / `xlsx_bytes` (tests/security/test_exports.py
checks that no other module writes CSV or XLSX).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook

# A cell whose text starts with one of these (after any blanks) is taken as a formula by
# Excel, LibreOffice or WPS; the full-width forms are typed by Chinese input methods and
# converted by some of them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
CSV_BOM = "\ufeff"  # so that Excel opens a UTF-8 CSV with Chinese text correctly

Cell = str | int | float | Decimal | date | datetime | None


def neutralize(value: Cell) -> Cell:
    """A cell's value, made inert: text that a spreadsheet would run gets a leading quote."""
    if not isinstance(value, str):
        return value
    stripped = value.lstrip(" \u3000")
    if value.startswith(FORMULA_TRIGGERS) or stripped.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _rows(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterable[list[Cell]]:
    yield [neutralize(str(title)) for title in header]
    for row in rows:
        yield [neutralize(value) for value in row]


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """The rows as CSV text (no byte-order mark), every cell neutralised."""
    out = io.StringIO()
    # CRLF line ends (RFC 4180) make the writer quote a cell holding a bare CR too; with
    # LF ends it would not, and a reader would start a new row — and a formula — there.
    writer = csv.writer(out, lineterminator="\r\n")
    for row in _rows(header, rows):
        writer.writerow("" if value is None else value for value in row)
    return out.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """The rows as a UTF-8 CSV file with a byte-order mark, for Excel."""
    return (CSV_BOM + csv_text(header, rows)).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]], title: str = "") -> bytes:
    """The rows as an XLSX workbook of one sheet; text cells are strings, never formulas."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=neutralize(title)[:31] if title else None)
    for row in _rows(header, rows):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
