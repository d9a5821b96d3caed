"""Celery tasks: season planning (thin wrappers around events.services.season)."""

from __future__ import annotations

from core.outbox import outbox_task
from events.models import Season
from events.services import season as services

__all__ = ["plan_events"]


def _planning_failed(*, season_id: int, error: str) -> None:
    services.record_planning_failure(season_id=season_id, error=error)


@outbox_task(name="events.plan_events", on_permanent_failure=_planning_failed)
def plan_events(*, season_id: int) -> str:
    """Plan a season's events and write them as drafts for staff to review."""
    if not Season.objects.filter(pk=season_id).exists():
        return "skipped"
    plan = services.run_planner(season_id)
    return f"{len(plan.events)} events"
