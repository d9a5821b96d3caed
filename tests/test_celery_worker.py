"""Background work through a real Celery worker on Redis (not eager mode)."""

import pytest
from django.core import mail
from django.db import transaction

from core.emails import queue_email
from core.models import OutboxMessage, OutgoingEmail
from tests.helpers import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres]


def test_email_is_sent_by_a_real_worker_after_commit(celery_worker):
    with transaction.atomic():
        email = queue_email(
            to="worker@example.com",
            template="verify_email",
            context={"link": "http://x/", "user": None},
        )

    assert wait_for(lambda: OutgoingEmail.objects.get(pk=email.pk).status == "sent")
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.DONE
    assert mail.outbox == []  # sent by the worker process, not by this one
    assert "To: worker@example.com" in celery_worker.output()


def test_full_recompute_runs_in_chunks_on_a_real_worker(celery_worker):
    from matchmaking import engine  # noqa: PLC0415
    from matchmaking.catalog_io import import_catalog, parse_document  # noqa: PLC0415
    from matchmaking.models import Match, MatchRun  # noqa: PLC0415
    from matchmaking.services import matching  # noqa: PLC0415
    from matchmaking.services.demo import demo_catalog_bytes  # noqa: PLC0415
    from tests.factories import StaffFactory  # noqa: PLC0415

    import_catalog(parse_document(demo_catalog_bytes()), status="approved", by=StaffFactory())

    def succeeded():
        return MatchRun.objects.filter(kind="full", status="succeeded").exists()

    assert wait_for(succeeded, timeout=90), celery_worker.output()[-3000:]
    assert list(MatchRun.objects.filter(kind="full").values_list("status", "error")) == [
        ("succeeded", "")
    ]
    run = MatchRun.objects.get(kind="full")
    assert run.chunks_total >= 2
    assert run.chunks.filter(done=True).count() == run.chunks_total
    stored = {
        (m.need_id, m.solution_id, round(m.score, 6), m.rank_for_need, m.rank_for_solution)
        for m in Match.objects.active()
    }
    fresh = engine.fit(
        matching.need_records(), matching.solution_records(), matching.engine_config()
    )
    expected = {
        (p.need_id, p.solution_id, round(p.score, 6), p.rank_for_need, p.rank_for_solution)
        for p in engine.match_all(fresh, matching.exclusions())
    }
    assert stored == expected
