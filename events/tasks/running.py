"""Celery tasks: running."""

__all__: list[str] = []
