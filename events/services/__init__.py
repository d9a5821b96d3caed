"""Workflow steps of the docking events, one module per stage of an event's life:

- `season`       plan a season with the planner, publish the draft events
- `registration` invitations, RSVP, capacity and waiting list, unavailability
- `requests`     meeting requests (participants, accepted introductions), expiry
- `schedule`     build, publish and send the meeting schedule (.ics)
- `running`      check-in, no-shows, outcomes and follow-ups, the dashboard's figures
"""
