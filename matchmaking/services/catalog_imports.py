"""Catalog imports in the background: upload, run as a job, and report progress.

`start_import` stores the uploaded file with a CatalogImport row and queues the job;
`run_import` (the job) runs `catalog_io.import_catalog` on it, publishing its live
counts to the cache as it goes — the import's own transaction hides its writes until
it commits, so the row cannot carry them — and stores the final counts, the problems
found, and the matching run the import's batch queued. `progress_of` is what the admin
shows: the live counts while it runs, then the matching run's progress.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone

from core import audit
from core.models import User
from core.outbox import enqueue
from matchmaking import tasks
from matchmaking.models import CatalogImport, MatchRun

STAGES = ("checked", "written", "published")
# Live counts are written to the cache at most this often (seconds).
PROGRESS_INTERVAL = 0.5


def _cache_key(pk: int) -> str:
    return f"catalog-import:{pk}:progress"


@transaction.atomic
def start_import(*, upload: File, status: str, by: User, dry_run: bool = False) -> CatalogImport:
    """Store the file and queue its import as a background job."""
    job = CatalogImport.objects.create(
        file=upload,
        file_name=getattr(upload, "name", "")[:255],
        record_status=status,
        dry_run=dry_run,
        created_by=by,
    )
    audit.record(by, "catalog.import_queued", job, file=job.file_name, status=status)
    enqueue(tasks.run_catalog_import, kwargs={"import_id": job.pk}, key=f"catalog-import:{job.pk}")
    return job


class LiveCounts:
    """The import's progress callback: counts in the cache, every PROGRESS_INTERVAL."""

    def __init__(self, pk: int) -> None:
        self.pk = pk
        self.counts = {"total": 0, **dict.fromkeys(STAGES, 0)}
        self.sent_at = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.counts[stage] = done
        self.counts["total"] = total
        now = time.monotonic()
        if now - self.sent_at >= PROGRESS_INTERVAL or done == total:
            self.sent_at = now
            cache.set(_cache_key(self.pk), self.counts, timeout=24 * 3600)


def run_import(import_id: int) -> str:
    """The job: import the stored file; record counts, problems and the matching run."""
    updated = CatalogImport.objects.filter(pk=import_id, state=CatalogImport.State.QUEUED).update(
        state=CatalogImport.State.RUNNING
    )
    if not updated:
        return "skipped"
    # Imported here: catalog_io reads the catalog services, which load the tasks module.
    from matchmaking.catalog_io import (  # noqa: PLC0415
        CatalogImportError,
        import_catalog,
        parse_document,
    )

    job = CatalogImport.objects.get(pk=import_id)
    live = LiveCounts(job.pk)
    try:
        with job.file.open("rb") as stored:
            document = parse_document(stored.read())
        result = import_catalog(
            document,
            status=job.record_status,
            by=job.created_by,
            dry_run=job.dry_run,
            progress=live,
        )
    except CatalogImportError as error:
        job.state = CatalogImport.State.FAILED
        job.errors = [str(problem) for problem in error.errors]
    except Exception as error:
        CatalogImport.objects.filter(pk=job.pk).update(
            state=CatalogImport.State.FAILED,
            errors=[repr(error)[:2000]],
            finished_at=timezone.now(),
        )
        raise
    else:
        job.state = CatalogImport.State.IMPORTED
        job.counts = {
            section: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
            for section, c in result.counts.items()
        }
        job.published = result.published
        job.match_run_id = result.match_run_id
    job.total = live.counts["total"]
    job.checked = live.counts["checked"]
    job.written = live.counts["written"]
    job.published = max(job.published, live.counts["published"])
    job.finished_at = timezone.now()
    job.save()
    cache.delete(_cache_key(job.pk))
    return job.state


def progress_of(job: CatalogImport) -> dict:
    """Counts so far (live while running), and the matching run's status and progress."""
    counts = {"total": job.total, **{stage: getattr(job, stage) for stage in STAGES}}
    if job.state == CatalogImport.State.RUNNING:
        counts |= cache.get(_cache_key(job.pk)) or {}
    run: MatchRun | None = job.match_run
    return {
        **counts,
        "state": job.state,
        "matching": None
        if run is None
        else {"run": run.pk, "status": run.status, "progress": run.progress},
    }
