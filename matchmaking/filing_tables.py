"""Reading the published tables of filed generative-AI services (XLSX or CSV).

The lists come as the regulator formats them: a title line or two above the header,
headers that vary from list to list (备案号 / 备案编号 / 登记编号, 模型名称 / 服务名称 /
模型/服务名称 …), dates written as Excel dates, 2024-01-05, 2024/1/5 or 2024年1月5日.
This module finds the header row, maps its columns, and returns the rows it could
read plus, for every other row, its row number, the field and what is wrong. It
knows no models: `services.filings` stores what it returns.

It also holds the normalisation a filing number and an organization name are
compared by (full-width and half-width forms, spaces, dashes, 有限公司 suffixes).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl import load_workbook

# Each field and the headers it is published under (compared after `_header_key`).
COLUMNS: dict[str, tuple[str, ...]] = {
    "sequence": ("序号", "编号序号", "no", "no."),
    "region": ("属地", "所属地区", "地区", "省份", "所在地"),
    "service_name": (
        "模型/服务名称",
        "模型名称",
        "服务名称",
        "备案名称",
        "模型服务名称",
        "应用名称",
        "产品名称",
    ),
    "organization_name": ("备案单位", "登记单位", "主体名称", "单位名称", "企业名称", "备案主体"),
    "filing_number": (
        "备案号/登记编号",
        "备案号",
        "备案编号",
        "登记编号",
        "登记号",
        "上线编号",
        "备案登记编号",
    ),
    "filed_on": ("备案时间", "登记时间", "备案日期", "登记日期", "上线时间"),
}
REQUIRED = ("service_name", "organization_name", "filing_number")
_HEADER_SEARCH_ROWS = 10
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "‐": "-", "‑": "-", "_": "-"})
_ORGANIZATION_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司")


class FilingTableError(ValueError):
    """The file as a whole cannot be read (not a table, no recognisable header)."""


@dataclass(frozen=True)
class FilingRow:
    row_number: int
    sequence: str
    region: str
    service_name: str
    organization_name: str
    filing_number: str
    filed_on: date | None


@dataclass(frozen=True)
class RowError:
    row_number: int
    field: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)d, %(field)s: %(message)s") % {
            "row": self.row_number,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class FilingTable:
    rows: list[FilingRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _fold(text: str) -> str:
    """Full-width to half-width (NFKC), no white space of any kind."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def normalize_number(value: str) -> str:
    """A filing number as compared: half-width, no spaces, one kind of dash, upper case."""
    return _fold(value).translate(_DASHES).upper()


def normalize_organization(value: str) -> str:
    """An organization's name as compared: half-width, no spaces or brackets, no suffix.

    “上海书衡智能科技有限公司”, “上海书衡智能科技 有限公司” and “上海书衡智能科技（有限公司）”
    agree; so do a name with and without 股份/有限责任.
    """
    name = re.sub(r"[()\[\]【】]", "", _fold(value)).lower()
    for suffix in _ORGANIZATION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _header_key(value: object) -> str:
    return _fold(str(value or "")).lower().replace("／", "/")


def _map_header(cells: list[object]) -> dict[str, int] | None:
    aliases = {_header_key(a): name for name, names in COLUMNS.items() for a in names}
    found: dict[str, int] = {}
    for column, cell in enumerate(cells):
        name = aliases.get(_header_key(cell))
        if name is not None and name not in found:
            found[name] = column
    return found if all(name in found for name in REQUIRED) else None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _date(value: object) -> date | None:
    """A published date; None when empty; ValueError when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _fold(str(value))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            return date(*(int(part) for part in match.groups()))
    raise ValueError(text)


def _grid(content: bytes, file_name: str) -> list[tuple[int, list[object]]]:
    """(row number, cells) of the file's first sheet, row numbers as a spreadsheet shows them."""
    if file_name.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise FilingTableError(_("The file is not a readable XLSX workbook.")) from exc
        sheet = workbook.worksheets[0]
        grid = [(n, list(row)) for n, row in enumerate(sheet.iter_rows(values_only=True), 1)]
        workbook.close()
        return grid
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FilingTableError(_("The file is neither UTF-8 nor GB18030 text."))
    return [(n, list(row)) for n, row in enumerate(csv.reader(io.StringIO(text)), 1)]


def read_filing_table(content: bytes, file_name: str = "") -> FilingTable:
    """The readable rows of a published list and the errors of the others.

    Raises FilingTableError when no header row with the service name, the filing
    organization and the number is found in the first rows.
    """
    grid = _grid(content, file_name)
    header, body = None, []
    for position, (_number, cells) in enumerate(grid[:_HEADER_SEARCH_ROWS]):
        header = _map_header(cells)
        if header is not None:
            body = grid[position + 1 :]
            break
    if header is None:
        raise FilingTableError(
            _(
                "No header row found: the table needs columns for the model or service name "
                "(模型名称/服务名称), the filing organization (备案单位) and the number "
                "(备案号/登记编号)."
            )
        )
    table = FilingTable()
    labels = {name: str(aliases[0]) for name, aliases in COLUMNS.items()}
    for row_number, cells in body:
        values = {
            name: cells[column] if column < len(cells) else None for name, column in header.items()
        }
        texts = {name: _text(value) for name, value in values.items() if name != "filed_on"}
        if not any(texts.values()) and values.get("filed_on") in (None, ""):
            continue  # blank line
        missing = [name for name in REQUIRED if not texts.get(name)]
        if missing:
            table.errors.extend(RowError(row_number, labels[m], _("empty")) for m in missing)
            continue
        try:
            filed_on = _date(values.get("filed_on"))
        except ValueError:
            table.errors.append(
                RowError(
                    row_number,
                    labels["filed_on"],
                    _("“%(value)s” is not a date") % {"value": _text(values.get("filed_on"))},
                )
            )
            continue
        table.rows.append(
            FilingRow(
                row_number=row_number,
                sequence=texts.get("sequence", ""),
                region=texts.get("region", ""),
                service_name=texts["service_name"],
                organization_name=texts["organization_name"],
                filing_number=texts["filing_number"],
                filed_on=filed_on,
            )
        )
    return table
