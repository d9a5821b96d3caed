"""Celery tasks of the events app (thin wrappers around events.services)."""

from events.tasks.schedule import *  # noqa: F403
from events.tasks.season import *  # noqa: F403
