"""The working-day calendar: Chinese public holidays and adjusted working days (调休)."""

from collections import Counter
from datetime import date

from events.calendar_cn import (
    HOLIDAY,
    WORKDAY,
    WorkCalendar,
    load_calendar_days,
    load_default_calendar,
)

CALENDAR = load_default_calendar()
DAYS = load_calendar_days()


def test_is_working_day_adjusted_sunday_2025_01_26_works():
    assert CALENDAR.is_working_day(date(2025, 1, 26)) is True


def test_is_working_day_national_day_2025_10_03_is_off():
    assert CALENDAR.is_working_day(date(2025, 10, 3)) is False


def test_is_working_day_adjusted_saturday_2026_02_14_works():
    assert CALENDAR.is_working_day(date(2026, 2, 14)) is True


def test_is_working_day_ordinary_saturday_is_off():
    assert CALENDAR.is_working_day(date(2025, 3, 8)) is False


def test_is_working_day_ordinary_weekday_works():
    assert CALENDAR.is_working_day(date(2025, 3, 5)) is True


def test_working_days_spring_festival_2025_skips_the_break_and_adds_make_up_days():
    days = CALENDAR.working_days(date(2025, 1, 25), date(2025, 2, 9))

    assert days == [
        date(2025, 1, 26),
        date(2025, 1, 27),
        date(2025, 2, 5),
        date(2025, 2, 6),
        date(2025, 2, 7),
        date(2025, 2, 8),
    ]


def test_working_days_empty_window_is_empty():
    assert CALENDAR.working_days(date(2025, 5, 2), date(2025, 5, 1)) == []


def test_calendar_file_published_years_have_the_state_council_day_counts():
    counts = Counter((d.date.year, d.kind) for d in DAYS)

    assert counts[2025, HOLIDAY] == 28
    assert counts[2025, WORKDAY] == 5
    assert counts[2026, HOLIDAY] == 33
    assert counts[2026, WORKDAY] == 6


def test_calendar_file_make_up_working_days_fall_on_weekends():
    weekdays = {d.date.weekday() for d in DAYS if d.kind == WORKDAY}

    assert weekdays <= {5, 6}


def test_calendar_file_only_2027_is_provisional():
    provisional_years = {d.date.year for d in DAYS if d.provisional}
    confirmed_years = {d.date.year for d in DAYS if not d.provisional}

    assert provisional_years == {2027}
    assert confirmed_years == {2025, 2026}


def test_calendar_file_2027_spring_festival_statutory_days_are_off():
    days = CALENDAR.working_days(date(2027, 2, 4), date(2027, 2, 9))

    assert days == [date(2027, 2, 4), date(2027, 2, 9)]


def test_work_calendar_date_listed_as_both_is_a_holiday():
    day = date(2025, 6, 7)  # a Saturday

    calendar = WorkCalendar(holidays={day}, workdays={day})

    assert calendar.is_working_day(day) is False
