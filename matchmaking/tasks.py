"""Celery tasks of the matchmaking app: thin wrappers around services."""

from __future__ import annotations

from celery import current_app, shared_task

from core.outbox import outbox_task
from matchmaking.models import MatchRun
from matchmaking.services import catalog, catalog_imports, incremental, matching, threads


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
    run = incremental.match_pending()
    return run.pk if run else 0


@outbox_task(name="matchmaking.run_catalog_import")
def run_catalog_import(*, import_id: int) -> str:
    """Import a catalog file uploaded in admin; its batch queues the matching job."""
    return catalog_imports.run_import(import_id)


@shared_task(name="matchmaking.nightly_full_matching")
def nightly_full_matching() -> int:
    """The nightly full recompute: refits the vocabulary on everything published."""
    return matching.start_full_run().pk


@shared_task(name="matchmaking.send_thread_digests")
def send_thread_digests() -> int:
    """One email per person with the conversation messages they have not read yet."""
    return threads.send_digests()


@shared_task(name="matchmaking.follow_up_interests")
def follow_up_interests() -> dict[str, int]:
    """Nudge, then expire, introductions the asked side left unanswered."""
    # Imported here: nudges → interests → incremental imports this module.
    from matchmaking.services import nudges  # noqa: PLC0415

    return nudges.follow_up_interests()


@shared_task(name="matchmaking.close_expired_needs")
def close_expired_needs() -> int:
    """Close the published needs whose wanted-by date has passed (owners are told)."""
    return catalog.close_expired_needs()


@shared_task(name="matchmaking.send_search_digests")
def send_search_digests() -> int:
    """Beat job: one digest email per user with new results of their saved searches."""
    from matchmaking.services import alerts  # noqa: PLC0415

    return alerts.send_due_digests()


@shared_task(name="matchmaking.purge_pending_uploads")
def purge_pending_uploads() -> int:
    """Beat job: delete files kept for need and solution forms nobody came back to."""
    from matchmaking.services import pending_uploads  # noqa: PLC0415

    return pending_uploads.purge_stale()
