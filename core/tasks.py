"""Celery tasks of the core app: sending stored emails and the outbox sweep."""

from __future__ import annotations

import base64

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from core.models import OutgoingEmail
from core.outbox import outbox_task, sweep_due_messages


def _mark_email_failed(*, email_id: int, error: str) -> None:
    OutgoingEmail.objects.filter(pk=email_id).exclude(status=OutgoingEmail.Status.SENT).update(
        status=OutgoingEmail.Status.FAILED, last_error=error[:2000]
    )


@outbox_task(name="core.send_email", on_permanent_failure=_mark_email_failed)
def send_email(*, email_id: int) -> str:
    """Send one stored email; a sent email is never sent again."""
    email = OutgoingEmail.objects.filter(pk=email_id).first()
    # Sent ones are never sent twice; failed ones (or those of an erased account) wait
    # for staff to queue them again.
    if email is None or email.status != OutgoingEmail.Status.QUEUED:
        return "skipped"
    OutgoingEmail.objects.filter(pk=email_id).update(attempts=email.attempts + 1)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for item in email.attachments:
        message.attach(item["filename"], base64.b64decode(item["content_b64"]), item["mimetype"])
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        OutgoingEmail.objects.filter(pk=email_id).update(last_error=repr(exc)[:2000])
        raise
    OutgoingEmail.objects.filter(pk=email_id).update(
        status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


@shared_task(name="core.sweep_outbox")
def sweep_outbox() -> int:
    """Re-publish background work that is due and not done (runs every minute)."""
    return sweep_due_messages()
