"""Celery tasks of the matchmaking app: thin wrappers around services."""

from __future__ import annotations

import base64

from celery import current_app, shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from matchmaking.models import MatchRun, OutgoingEmail
from matchmaking.outbox import outbox_task, sweep_due_messages
from matchmaking.services import matching


def _mark_email_failed(*, email_id: int, error: str) -> None:
    OutgoingEmail.objects.filter(pk=email_id).exclude(status=OutgoingEmail.Status.SENT).update(
        status=OutgoingEmail.Status.FAILED, last_error=error[:2000]
    )


@outbox_task(name="matchmaking.send_email", on_permanent_failure=_mark_email_failed)
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


@shared_task(name="matchmaking.sweep_outbox")
def sweep_outbox() -> int:
    """Re-publish background work that is due and not done (runs every minute)."""
    return sweep_due_messages()


# --- matching ----------------------------------------------------------------------------


def _fail_full_run(*, run_id: int, error: str) -> None:
    matching.fail_run(run_id, error)


@outbox_task(name="matchmaking.run_full_matching", on_permanent_failure=_fail_full_run)
def run_full_matching(*, run_id: int) -> str:
    """Fit, then fan the chunks out to the workers; the last chunk queues the merge.

    Each chunk is an outbox message of its own: a chunk whose worker died is handed
    to another worker by the sweep, and nothing depends on Celery's result backend.
    In eager mode (no broker) everything runs here, one chunk after the other.
    """
    run = MatchRun.objects.filter(pk=run_id).first()
    if run is None or run.status in (MatchRun.Status.SUCCEEDED, MatchRun.Status.SUPERSEDED):
        return "skipped"
    chunks = matching.prepare_full_run(run_id)
    if current_app.conf.task_always_eager or len(chunks) == 1:
        matching.run_full_in_process(run_id)
        return "done"
    matching.dispatch_chunks(run_id, chunks)
    return f"{len(chunks)} chunks"


@outbox_task(name="matchmaking.match_chunk", on_permanent_failure=_fail_full_run)
def match_chunk(*, run_id: int, index: int) -> int:
    """Score one chunk of needs against all solutions (idempotent)."""
    matching.compute_full_chunk(run_id, index)
    return index


@outbox_task(name="matchmaking.finish_full_matching", on_permanent_failure=_fail_full_run)
def finish_full_matching(*, run_id: int) -> str:
    """Merge the chunks, write the new generation and make it visible at once."""
    return matching.finish_full_run(run_id).status


@outbox_task(name="matchmaking.match_pending")
def match_pending() -> int:
    """Update the matches of needs and solutions that were approved, edited or withdrawn."""
    run = matching.match_pending()
    return run.pk if run else 0


@shared_task(name="matchmaking.nightly_full_matching")
def nightly_full_matching() -> int:
    """The nightly full recompute: refits the vocabulary on everything published."""
    return matching.start_full_run().pk
