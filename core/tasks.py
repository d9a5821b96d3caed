"""Celery tasks of the core app: sending stored emails, password reset links, the outbox sweep."""

from __future__ import annotations

from celery import shared_task

from core.outbox import outbox_task, sweep_due_messages
from core.services import mail


def _mark_email_failed(*, email_id: int, error: str) -> None:
    mail.fail_email(email_id=email_id, error=error)


@outbox_task(name="core.send_email", on_permanent_failure=_mark_email_failed)
def send_email(*, email_id: int) -> str:
    """Send one stored email; a sent email is never sent again."""
    return mail.deliver_email(email_id=email_id)


@outbox_task(name="core.send_password_reset")
def send_password_reset(*, email: str) -> int:
    """Email a reset link if `email` has an account (the web request never looks)."""
    # Imported here: accounts queues this task and imports this module (core/outbox.py).
    from core.services import accounts  # noqa: PLC0415

    return accounts.send_password_reset(email=email)


@shared_task(name="core.sweep_outbox")
def sweep_outbox() -> int:
    """Re-publish background work that is due and not done (runs every minute)."""
    return sweep_due_messages()
