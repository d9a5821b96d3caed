"""Bulk changes are one matching job: an import, a bulk approval, a bulk withdrawal.

Counted on the outbox, where every background job is recorded before it runs: a batch
of N published records queues one matching job (a full run or one incremental run),
never N.
"""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from core.models import OutboxMessage
from matchmaking.catalog_io import import_catalog, parse_document
from matchmaking.models import Match, MatchRun, Need, PendingMatch, Solution, Status
from matchmaking.services import catalog as catalog_services
from matchmaking.services import incremental
from matchmaking.services.demo import demo_catalog_bytes
from tests.factories import NeedFactory, SolutionFactory, StaffFactory
from tests.matchmaking.test_matching import current_model, engine_generation, stored_generation

pytestmark = pytest.mark.django_db

MATCHING_JOBS = ("matchmaking.run_full_matching", "matchmaking.match_pending")


def matching_jobs() -> list[str]:
    """The matching jobs queued so far, by task name, in order."""
    return list(
        OutboxMessage.objects.filter(task_name__in=MATCHING_JOBS)
        .order_by("pk")
        .values_list("task_name", flat=True)
    )


def demo_document() -> dict:
    return parse_document(demo_catalog_bytes())


def test_importing_n_approved_records_queues_one_matching_job_not_n(run_on_commit):
    document = demo_document()
    published = len(document["needs"]) + len(document["solutions"])

    with run_on_commit():
        result = import_catalog(document, status="approved", by=StaffFactory())

    assert result.published == published > 50
    assert matching_jobs() == ["matchmaking.run_full_matching"]
    assert list(MatchRun.objects.values_list("kind", "status")) == [("full", "succeeded")]
    matched = set(Match.objects.active().values_list("need_id", flat=True))
    assert matched == set(Need.objects.published().values_list("pk", flat=True))


def test_a_small_import_into_a_matched_catalog_is_one_incremental_run(run_on_commit):
    document = demo_document()
    with run_on_commit():
        import_catalog(document, status="approved")
    addition = {"format": document["format"], "organizations": document["organizations"]}
    addition["needs"] = [copy.deepcopy(need) for need in document["needs"][:3]]
    for number, need in enumerate(addition["needs"]):
        need["key"] = f"round-2-need-{number}"
    addition["solutions"] = []
    before = len(matching_jobs())

    with run_on_commit():
        result = import_catalog(addition, status="approved")

    assert result.published == 3
    assert matching_jobs()[before:] == ["matchmaking.match_pending"]
    run = MatchRun.objects.filter(kind="incremental").get()
    added = set(Need.objects.filter(source_key__startswith="round-2-").values_list("pk", flat=True))
    assert set(run.counts["needs"]) == added
    assert PendingMatch.objects.count() == 0
    assert stored_generation() == engine_generation(current_model())


def test_bulk_approval_in_admin_queues_one_matching_job(client, run_on_commit):
    staff = StaffFactory(is_superuser=True)
    with run_on_commit():
        import_catalog(demo_document(), status="approved")
    submitted = [NeedFactory(status=Status.SUBMITTED, published_at=None) for _ in range(4)]
    before = len(matching_jobs())
    client.force_login(staff)

    with run_on_commit():
        response = client.post(
            reverse("admin:matchmaking_need_changelist"),
            {"action": "approve_selected", "_selected_action": [n.pk for n in submitted]},
        )

    assert response.status_code == 302
    assert set(
        Need.objects.filter(pk__in=[n.pk for n in submitted]).values_list("status", flat=True)
    ) == {Status.APPROVED}
    assert matching_jobs()[before:] == ["matchmaking.match_pending"]
    run = MatchRun.objects.filter(kind="incremental").get()
    assert sorted(run.counts["needs"]) == sorted(n.pk for n in submitted)
    assert stored_generation() == engine_generation(current_model())


def test_bulk_approval_without_a_generation_is_one_full_run(run_on_commit):
    staff = StaffFactory()
    submitted = [SolutionFactory(status=Status.SUBMITTED) for _ in range(3)]
    submitted += [NeedFactory(status=Status.SUBMITTED) for _ in range(3)]

    with run_on_commit():
        result = catalog_services.approve_records(by=staff, records=submitted)

    assert result.done == 6
    assert matching_jobs() == ["matchmaking.run_full_matching"]
    assert list(MatchRun.objects.values_list("kind", "status")) == [("full", "succeeded")]


def test_bulk_withdrawal_in_admin_queues_one_matching_job(client, run_on_commit):
    staff = StaffFactory(is_superuser=True)
    with run_on_commit():
        import_catalog(demo_document(), status="approved")
    leaving = list(Solution.objects.published().order_by("pk")[:3])
    before = len(matching_jobs())
    client.force_login(staff)

    with run_on_commit():
        client.post(
            reverse("admin:matchmaking_solution_changelist"),
            {"action": "withdraw_selected", "_selected_action": [s.pk for s in leaving]},
        )

    assert matching_jobs()[before:] == ["matchmaking.match_pending"]
    assert not Match.objects.active().filter(solution__in=leaving).exists()
    assert stored_generation() == engine_generation(current_model())


def test_a_batch_larger_than_its_share_of_the_catalog_is_one_full_run(settings, run_on_commit):
    with run_on_commit():
        import_catalog(demo_document(), status="approved")
    settings.MATCHING_BATCH_FULL_RUN_SHARE = 0.05
    published = Need.objects.published().count() + Solution.objects.published().count()
    submitted = [NeedFactory(status=Status.SUBMITTED) for _ in range(int(0.05 * published) + 2)]
    before = len(matching_jobs())

    with run_on_commit():
        catalog_services.approve_records(by=StaffFactory(), records=submitted)

    assert matching_jobs()[before:] == ["matchmaking.run_full_matching"]
    assert list(
        MatchRun.objects.filter(kind="full").order_by("pk").values_list("status", flat=True)
    ) == [
        "superseded",
        "succeeded",
    ]
    assert stored_generation() == engine_generation(current_model())


def test_a_failed_batch_queues_nothing(run_on_commit):
    need = NeedFactory(status=Status.SUBMITTED)
    staff = StaffFactory()

    def approve_then_fail() -> None:
        with incremental.batch():
            catalog_services.approve_records(by=staff, records=[need])
            raise RuntimeError("the rest of the batch failed")

    with run_on_commit(), pytest.raises(RuntimeError):
        approve_then_fail()

    assert matching_jobs() == []
    assert Need.objects.get(pk=need.pk).status == Status.SUBMITTED


def test_a_change_outside_a_batch_still_queues_its_own_job(run_on_commit):
    with run_on_commit():
        import_catalog(demo_document(), status="approved")
    before = len(matching_jobs())
    need = NeedFactory(status=Status.SUBMITTED)

    with run_on_commit():
        catalog_services.transition(record=need, to=Status.APPROVED, by=None)

    assert matching_jobs()[before:] == ["matchmaking.match_pending"]
