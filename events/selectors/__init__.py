"""Reads of the events app, one module per page family (the services do the writes):

- `schedules`    an organization's or an event's meetings, who attends, why a pair was
                 left out of a schedule
- `participants` what a participant sees: registrations, suggestions, requests, feedback
- `check_in`     the door: who is expected, how many came
- `dashboard`    the programme dashboard's figures
"""
