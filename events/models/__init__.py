"""Docking events (供需对接活动): seasons, venues, events, registrations, meetings, outcomes.

One module per part of an event's life; each model with a status declares its allowed
transitions (`TRANSITIONS`) and moves only through `move_to` (core.transitions).
"""

from events.models.events import Event, EventQuerySet
from events.models.meetings import LIVE_MEETING, Meeting, MeetingRequest, Outcome, Pair
from events.models.places import CalendarDay, Season, Venue
from events.models.registrations import CalendarFeed, Registration, Unavailability, new_token

__all__ = [
    "LIVE_MEETING",
    "CalendarDay",
    "CalendarFeed",
    "Event",
    "EventQuerySet",
    "Meeting",
    "MeetingRequest",
    "Outcome",
    "Pair",
    "Registration",
    "Season",
    "Unavailability",
    "Venue",
    "new_token",
]
