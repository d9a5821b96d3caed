"""Celery tasks: season."""

__all__: list[str] = []
