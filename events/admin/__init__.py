"""Event administration: each module registers its admin classes.

- `events`        events with their registrations and meetings, print and export pages
- `event_actions` the actions that move events along (through events.services)
- `registrations` who is invited and coming; check-in and no-show actions
- `meetings`      meeting requests and meetings (cancel, restore)
- `outcomes`      outcomes, recorded on the meeting's page
- `season`        seasons (plan, publish, invite) and venues
- `calendar`      the holiday calendar
"""

from events.admin import calendar, events, meetings, outcomes, registrations, season  # noqa: F401
