"""Background jobs as staff handle them: running failed or stuck ones again."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from core import audit
from core.errors import NotAllowedError
from core.models import OutboxMessage, User
from core.outbox import publish
from core.services.bulk import BulkResult


def retry_jobs(*, by: User, jobs: Iterable[OutboxMessage]) -> BulkResult:
    """Staff run the selected jobs again now; finished ones are skipped.

    The jobs are reset in a transaction and published after it: the relay never
    publishes a job whose reset is not yet visible to the worker.
    """
    if not by.is_staff:
        raise NotAllowedError
    selected = {job.pk for job in jobs}
    with transaction.atomic():
        retried = list(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=selected)
            .exclude(status=OutboxMessage.Status.DONE)
            .order_by("pk")
        )
        OutboxMessage.objects.filter(pk__in=[job.pk for job in retried]).update(
            status=OutboxMessage.Status.PENDING, attempts=0
        )
        audit.record_each(by, "job.retried", retried)
    publish([job.pk for job in retried])
    return BulkResult(done=len(retried), skipped=len(selected) - len(retried))
