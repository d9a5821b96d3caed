"""Faults lose no work: Redis outages, workers killed mid-job, duplicate deliveries.

Each test runs real Celery worker processes against a private Redis (which the test
stops and starts) and the test PostgreSQL database.
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from config.celery_app import app
from core.models import OutboxMessage, OutgoingEmail
from core.outbox import sweep_due_messages
from matchmaking import engine
from matchmaking.catalog_io import import_catalog, parse_document
from matchmaking.models import Interest, Match, MatchRun, Need, Solution
from matchmaking.services import interests, matching
from matchmaking.services.demo import demo_catalog_bytes
from tests import services
from tests.factories import NeedFactory, StaffFactory, UserFactory, member_of
from tests.harness import PrivateRedis, SlowSMTPServer, WorkerProcess, worker_environment
from tests.helpers import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def private_redis():
    if not (services.postgres_available() and PrivateRedis.available()):
        pytest.skip("needs postgres and redis-server")
    redis = PrivateRedis()
    redis.start()
    keys = ("broker_url", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=redis.url, task_always_eager=False)
    _forget_connections()
    yield redis
    redis.stop()
    app.conf.update(saved)
    _forget_connections()


def _forget_connections() -> None:
    """Drop the app's cached broker connections (they hold the old URL)."""
    app._pool = None  # noqa: SLF001


@pytest.fixture
def start_worker(private_redis, transactional_db):
    from django.db import connection  # noqa: PLC0415

    workers: list[WorkerProcess] = []

    def start(concurrency: int = 2, **extra_env: str) -> WorkerProcess:
        env = worker_environment(
            redis_url=private_redis.url, database_name=connection.settings_dict["NAME"], **extra_env
        )
        worker = WorkerProcess(env, concurrency=concurrency)
        worker.start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def all_outbox_done() -> bool:
    return not OutboxMessage.objects.exclude(status=OutboxMessage.Status.DONE).exists()


def test_redis_outage_loses_no_work_and_runs_everything_once(
    private_redis, start_worker, client, settings
):
    worker = start_worker()
    staff = StaffFactory(email="office@example.com")
    import_catalog(parse_document(demo_catalog_bytes()), status="approved", by=staff)
    assert wait_for(lambda: MatchRun.objects.filter(kind="full", status="succeeded").exists())
    enterprise_org = Need.objects.get(source_key="need-caohejing-cnc-defect").organization
    authors = [member_of(enterprise_org, email=f"author{i}@example.com") for i in range(3)]
    submitted = [
        NeedFactory(
            organization=enterprise_org,
            status="submitted",
            created_by=author,
            title=f"视觉检测新需求 {i}",
        )
        for i, author in enumerate(authors)
    ]
    provider_user = UserFactory(email="bd@example.com")
    pending = []
    for need in Need.objects.filter(organization=enterprise_org, status="approved")[:3]:
        solution = (
            Match.objects.active().filter(need=need).order_by("rank_for_need").first().solution
        )
        member_of(solution.organization, email=f"sol{solution.pk}@example.com")
        from core.models import Membership  # noqa: PLC0415

        Membership.objects.get_or_create(user=provider_user, organization=solution.organization)
        provider_user.__dict__.pop("_active_memberships", None)
        pending.append(interests.express_interest(by=provider_user, need=need, solution=solution))
    assert wait_for(all_outbox_done)
    emails_before = OutgoingEmail.objects.filter(status="sent").count()

    private_redis.stop()
    started = time.monotonic()
    client.force_login(staff)
    approve = client.post(
        reverse("admin:matchmaking_need_changelist"),
        {"action": "approve_selected", "_selected_action": [n.pk for n in submitted]},
    )
    enterprise_user = member_of(enterprise_org, email="decider@example.com")
    client.force_login(enterprise_user)
    answers = [
        client.post(reverse("interest-action", args=[i.pk]), {"action": "accept"}) for i in pending
    ]
    elapsed = time.monotonic() - started

    assert approve.status_code == 302
    assert [a.status_code for a in answers] == [302, 302, 302]
    assert elapsed < 30  # the site kept answering without the broker
    assert Need.objects.filter(pk__in=[n.pk for n in submitted], status="approved").count() == 3
    assert Interest.objects.filter(status="accepted").count() == 3
    waiting = OutboxMessage.objects.exclude(status=OutboxMessage.Status.DONE)
    assert waiting.count() >= 4  # emails and the match update are recorded, not lost

    private_redis.start()
    time.sleep(3)  # let the worker reconnect and declare its queue again
    sweep_due_messages()
    assert wait_for(all_outbox_done, timeout=90), worker.output()

    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}  # each ran once
    sent = OutgoingEmail.objects.filter(status="sent").count() - emails_before
    assert sent == OutgoingEmail.objects.count() - emails_before
    assert sent >= 6  # 3 review decisions + 3 acceptances (one per recipient at least)
    output = worker.output()
    for address in set(OutgoingEmail.objects.values_list("to", flat=True)):
        # The console backend prints each message once: exactly as many as were queued.
        assert output.count(f"To: {address}\n") == OutgoingEmail.objects.filter(to=address).count()
    for need in submitted:
        assert Match.objects.active().filter(need=need).exists()


def _bulk_catalog(needs: int, solutions: int) -> None:
    """A large published catalog written directly (the engine's synthetic generator)."""
    from core.models import Capability, Industry  # noqa: PLC0415
    from matchmaking.engine import synthetic  # noqa: PLC0415
    from tests.factories import OrganizationFactory, ProviderFactory  # noqa: PLC0415

    need_records = synthetic.generate_needs(needs, seed=7)
    solution_records = synthetic.generate_solutions(solutions, seed=7)
    enterprise, provider = OrganizationFactory(), ProviderFactory()
    industries = {i.code: i for i in Industry.objects.all()}
    capabilities = {c.code: c for c in Capability.objects.all()}
    created = Need.objects.bulk_create(
        Need(
            organization=enterprise,
            title=r.title[:120],
            summary=r.summary,
            description=r.description,
            industry=industries.get(r.industry),
            deployment=r.deployment or "",
            data_readiness=r.data_readiness or "",
            budget_min=r.budget_min,
            budget_max=r.budget_max,
            status="approved",
        )
        for r in need_records
    )
    Need.capabilities.through.objects.bulk_create(
        Need.capabilities.through(need_id=n.pk, capability_id=capabilities[c].pk)
        for n, r in zip(created, need_records, strict=True)
        for c in r.capabilities
    )
    made = Solution.objects.bulk_create(
        Solution(
            organization=provider,
            title=r.title[:120],
            summary=r.summary,
            description=r.description,
            maturity=r.maturity or "",
            price_min=r.price_min,
            price_max=r.price_max,
            status="approved",
            **{Solution.DEPLOYMENT_FIELDS[m]: True for m in r.deployment_modes},
        )
        for r in solution_records
    )
    Solution.capabilities.through.objects.bulk_create(
        Solution.capabilities.through(solution_id=s.pk, capability_id=capabilities[c].pk)
        for s, r in zip(made, solution_records, strict=True)
        for c in r.capabilities
    )
    Solution.industries.through.objects.bulk_create(
        Solution.industries.through(solution_id=s.pk, industry_id=industries[i].pk)
        for s, r in zip(made, solution_records, strict=True)
        for i in r.industries
    )


def test_worker_killed_during_full_rematch_a_new_worker_finishes_it(start_worker, settings):
    _bulk_catalog(needs=3000, solutions=1500)
    settings.OUTBOX_REPUBLISH_AFTER_SECONDS = 2
    first = start_worker(MATCHING_CHUNK_NEEDS="100", OUTBOX_LEASE_SECONDS="3")
    run = matching.start_full_run()  # published after commit (autocommit here)

    def some_chunks_done():
        run.refresh_from_db()
        return run.chunks_total and 2 <= run.chunks_done < run.chunks_total

    assert wait_for(some_chunks_done, timeout=120, interval=0.05), (
        MatchRun.objects.values_list("status", "chunks_done", "chunks_total", "error").get(
            pk=run.pk
        ),
        first.output()[-3000:],
    )
    first.kill()
    run.refresh_from_db()
    assert run.status == "running"
    assert run.chunks_done < run.chunks_total

    start_worker(MATCHING_CHUNK_NEEDS="100", OUTBOX_LEASE_SECONDS="3")
    time.sleep(3.5)  # the killed worker's leases run out
    assert sweep_due_messages() >= 1  # its chunks go to the new worker

    assert wait_for(lambda: MatchRun.objects.get(pk=run.pk).status == "succeeded", timeout=180)
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
    assert len(stored) == Match.objects.active().count()  # no duplicate rows
    assert stored == expected  # and none missing


def test_worker_killed_during_an_email_batch_sends_each_email_once(start_worker, settings):
    from core.emails import queue_email  # noqa: PLC0415

    smtp = SlowSMTPServer(delay=0.4)
    settings.OUTBOX_REPUBLISH_AFTER_SECONDS = 2
    first = start_worker(concurrency=1, EMAIL_URL=smtp.url, OUTBOX_LEASE_SECONDS="3")
    for i in range(15):
        queue_email(
            to=f"batch{i}@example.com",
            template="verify_email",
            context={"link": "http://x/", "user": None},
        )

    assert wait_for(lambda: len(smtp.delivered) >= 4 and smtp.receiving == 1, timeout=60), (
        first.output()
    )
    first.kill()
    delivered_before = list(smtp.delivered)
    assert 4 <= len(delivered_before) < 15

    start_worker(concurrency=2, EMAIL_URL=smtp.url, OUTBOX_LEASE_SECONDS="3")
    time.sleep(3.5)  # the killed delivery's lease runs out
    sweep_due_messages()
    assert wait_for(lambda: OutgoingEmail.objects.filter(status="sent").count() == 15, timeout=90)
    smtp.close()

    assert sorted(smtp.delivered) == sorted(f"batch{i}@example.com" for i in range(15))
    assert OutboxMessage.objects.exclude(status="done").count() == 0
