"""Event administration: each module registers its admin classes."""

from events.admin import calendar, events, season  # noqa: F401
