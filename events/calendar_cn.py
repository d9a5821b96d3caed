"""Mainland China working-day calendar for planning events (no Django imports).

A weekday is not necessarily a working day in China, and a Saturday may be one: the
State Council moves working days around public holidays each year (调休), e.g. Sunday
2025-01-26 was worked so that the Spring Festival break could run for eight days. Events
must land on days when both enterprises and providers are at work, so the planner asks
this calendar rather than ``date.weekday()``.

The dates live in ``events/data/cn_holidays_2025_2027.json``; the Django side imports the
same file into an admin-editable table (years not yet published by the State Council are
marked ``provisional`` for admins to confirm) and builds a :class:`WorkCalendar` from that
table, so the planner never reads the file directly in production.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

DEFAULT_CALENDAR_PATH = Path(__file__).resolve().parent / "data" / "cn_holidays_2025_2027.json"
HOLIDAY = "holiday"
WORKDAY = "workday"
_KINDS = frozenset({HOLIDAY, WORKDAY})
_SATURDAY = 5


@dataclass(frozen=True)
class CalendarDay:
    """One special day of the calendar file: a public holiday or an adjusted working day."""

    date: date
    name_zh: str
    name_en: str
    kind: str
    provisional: bool = False
    basis: str = ""


class WorkCalendar:
    """Answers "is this a working day?" under the Chinese rules.

    Monday–Friday are working days unless listed in ``holidays``; any day listed in
    ``workdays`` (the weekend days worked to bridge a holiday) is a working day. A date in
    both sets is treated as a holiday, the safer reading for scheduling an event.
    """

    def __init__(self, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> None:
        self.holidays: frozenset[date] = frozenset(holidays)
        self.workdays: frozenset[date] = frozenset(workdays) - self.holidays

    @classmethod
    def from_days(cls, days: Iterable[CalendarDay]) -> WorkCalendar:
        """Build a calendar from file or database rows (the Django side passes its model rows)."""
        holidays: set[date] = set()
        workdays: set[date] = set()
        for day in days:
            (holidays if day.kind == HOLIDAY else workdays).add(day.date)
        return cls(holidays, workdays)

    def is_working_day(self, d: date) -> bool:
        """True when offices are open on ``d``."""
        if d in self.holidays:
            return False
        if d in self.workdays:
            return True
        return d.weekday() < _SATURDAY

    def working_days(self, start: date, end: date) -> list[date]:
        """The working days from ``start`` to ``end``, both included, in order."""
        return [d for d in _days(start, end) if self.is_working_day(d)]

    def __repr__(self) -> str:
        return f"WorkCalendar({len(self.holidays)} holidays, {len(self.workdays)} workdays)"


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def load_calendar_days(path: Path | str = DEFAULT_CALENDAR_PATH) -> list[CalendarDay]:
    """Read the holiday file into rows, validating each one, for seeding the admin table."""
    with Path(path).open(encoding="utf-8") as handle:
        document = json.load(handle)
    days = []
    for row in document["days"]:
        if row["kind"] not in _KINDS:
            raise ValueError(f"{path}: {row['date']}: unknown kind {row['kind']!r}")
        days.append(
            CalendarDay(
                date=date.fromisoformat(row["date"]),
                name_zh=row["name_zh"],
                name_en=row["name_en"],
                kind=row["kind"],
                provisional=bool(row.get("provisional", False)),
                basis=row.get("basis", ""),
            )
        )
    return days


def load_default_calendar() -> WorkCalendar:
    """The calendar shipped with the code (2025–2027); used by tests, benchmarks and demos."""
    return WorkCalendar.from_days(load_calendar_days(DEFAULT_CALENDAR_PATH))
