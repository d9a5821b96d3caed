"""Celery tasks: meeting requests, the meeting schedule, reminders and follow-ups.

Thin wrappers around events.services: keyword-only primary keys, a quiet return when
the event is gone. The periodic ones (django-celery-beat, config/periodic.py) are
idempotent: each email has a key and each event records what it was sent.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from core.outbox import outbox_task
from events.models import Event
from events.services import follow_up, notifications, schedule

__all__ = [
    "expire_meeting_requests",
    "schedule_event_meetings",
    "send_event_feedback_requests",
    "send_event_followups",
    "send_event_reminders",
]


def _schedule_failed(*, event_id: int, error: str) -> None:
    schedule.fail_schedule(event_id, error)


@outbox_task(name="events.schedule_meetings", on_permanent_failure=_schedule_failed)
def schedule_event_meetings(*, event_id: int) -> dict[str, Any] | None:
    """Build the event's meeting schedule (queued by build_schedule)."""
    if not Event.objects.filter(pk=event_id).exists():
        return None
    return schedule.run_scheduler(event_id)


@shared_task(name="events.expire_meeting_requests")
def expire_meeting_requests() -> dict[str, int]:
    """Expire meeting requests left unanswered too long or past registration closing
    (both sides told), and nudge the asked side of those waiting for a few days."""
    return follow_up.follow_up_meeting_requests()


@shared_task(name="events.send_reminders")
def send_event_reminders() -> int:
    """Reminders 24 hours and 1 hour before each event's first meeting (every 5 minutes)."""
    return notifications.send_reminders()


@shared_task(name="events.send_feedback_requests")
def send_event_feedback_requests() -> int:
    """Ask participants of finished events for their meetings' outcomes."""
    return notifications.send_feedback_requests()


@shared_task(name="events.send_followups")
def send_event_followups() -> int:
    """The 90-day outcome follow-up of events that finished about three months ago."""
    return notifications.send_followups()
