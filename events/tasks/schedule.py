"""Celery tasks: schedule."""

__all__: list[str] = []
