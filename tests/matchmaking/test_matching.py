"""Matching on the database: full runs, incremental updates, visibility, feedback."""

import pytest
from django.urls import reverse

from matchmaking import engine
from matchmaking.catalog_io import import_catalog, parse_document
from matchmaking.models import (
    FittedVocabulary,
    Match,
    MatchFeedback,
    MatchingState,
    MatchRun,
    Need,
    PendingMatch,
    Solution,
)
from matchmaking.services import catalog as catalog_services
from matchmaking.services import matching
from matchmaking.services.demo import demo_catalog_bytes
from tests.factories import NeedFactory, SolutionFactory, StaffFactory, member_of

pytestmark = pytest.mark.django_db


def stored_generation() -> set[tuple]:
    """The active generation as comparable tuples (scores to 6 decimals)."""
    return {
        (m.need_id, m.solution_id, round(m.score, 6), m.rank_for_need, m.rank_for_solution)
        for m in Match.objects.active()
    }


def engine_generation(model: engine.FittedModel) -> set[tuple]:
    result = engine.match_all(model, matching.exclusions())
    return {
        (p.need_id, p.solution_id, round(p.score, 6), p.rank_for_need, p.rank_for_solution)
        for p in result
    }


def current_model() -> engine.FittedModel:
    return engine.FittedModel.from_bytes(bytes(MatchingState.load().model_blob))


@pytest.fixture
def demo_catalog(run_on_commit):
    """The demo round (42 needs, 31 solutions) imported as published, matched once."""
    staff = StaffFactory()
    with run_on_commit():
        import_catalog(parse_document(demo_catalog_bytes()), status="approved", by=staff)
    return staff


def test_import_of_a_round_runs_one_full_recompute(demo_catalog):
    runs = list(MatchRun.objects.values_list("kind", "status"))
    assert runs == [("full", "succeeded")]
    assert PendingMatch.objects.count() == 0
    assert Match.objects.active().count() == MatchRun.objects.get().counts["pairs"]


def test_full_run_stores_exactly_what_the_engine_computes(demo_catalog):
    run = MatchRun.objects.get()
    fitted = engine.FittedModel.from_bytes(bytes(FittedVocabulary.objects.get(run=run).data))
    assert stored_generation() == engine_generation(fitted)


def test_full_run_results_equal_a_fresh_fit_of_the_same_records(demo_catalog):
    fresh = engine.fit(
        matching.need_records(), matching.solution_records(), matching.engine_config()
    )
    assert stored_generation() == engine_generation(fresh)


def test_every_match_keeps_version_components_and_terms(demo_catalog):
    match = Match.objects.active().order_by("-score").first()
    assert match.algorithm_version == engine.ALGORITHM_VERSION
    assert {"text", "industry", "capabilities", "deployment", "budget", "maturity"} <= set(
        match.components
    )
    assert all(isinstance(term, str) for term in match.terms)
    assert 0 <= match.score <= 1


def test_new_generation_is_invisible_until_the_flip(demo_catalog):
    before = stored_generation()
    second = MatchRun.objects.create(kind="full")
    for index in matching.prepare_full_run(second.pk):
        matching.compute_full_chunk(second.pk, index)

    # Each chunk wrote its needs' lists into the new generation ...
    written = Match.objects.filter(run=second)
    assert set(written.values_list("need_id", flat=True)) == set(
        Need.objects.published().values_list("pk", flat=True)
    )
    assert not written.filter(rank_for_need__isnull=True).exists()
    assert stored_generation() == before  # ... and readers still see the old generation

    matching.finish_full_run(second.pk)
    assert set(Match.objects.active().values_list("run_id", flat=True)) == {second.pk}
    assert Match.objects.exclude(run=second).count() == 0


def test_chunked_run_equals_single_chunk_run(demo_catalog, settings):
    single = stored_generation()
    settings.MATCHING_CHUNK_NEEDS = 10
    run = matching.start_full_run()
    matching.run_full_in_process(run.pk)
    run.refresh_from_db()
    assert run.chunks_total == 5
    assert stored_generation() == single


def test_approving_a_need_updates_matches_like_a_full_recompute(demo_catalog, run_on_commit):
    provider_side = Solution.objects.get(source_key="sol-shuheng-vision-qc")
    need = NeedFactory(
        status="submitted",
        organization=Need.objects.get(source_key="need-caohejing-cnc-defect").organization,
        title="数控机床刀具磨损视觉检测与预测",
        summary="CNC 刀具磨损在线视觉检测，提前预警换刀。",
        description="需要私有化部署，与 MES 对接。",
    )
    with run_on_commit():
        catalog_services.approve_records(by=demo_catalog, records=[need])

    assert MatchRun.objects.filter(kind="incremental", status="succeeded").count() == 1
    assert Match.objects.active().filter(need=need, rank_for_need=1).exists()
    assert stored_generation() == engine_generation(current_model())
    assert provider_side.pk in set(
        Match.objects.active().filter(need=need).values_list("solution_id", flat=True)
    )


def test_approving_a_solution_updates_matches_like_a_full_recompute(demo_catalog, run_on_commit):
    solution = SolutionFactory(status="submitted", title="焊缝 X 光图像智能判读")
    with run_on_commit():
        catalog_services.approve_records(by=demo_catalog, records=[solution])
    assert Match.objects.active().filter(solution=solution).exists()
    assert stored_generation() == engine_generation(current_model())


def test_withdrawing_a_need_removes_it_and_refills_lists(demo_catalog, run_on_commit):
    need = Need.objects.get(source_key="need-caohejing-cnc-defect")
    owner = member_of(need.organization)
    with run_on_commit():
        catalog_services.withdraw_record(by=owner, record=need)

    assert Match.objects.active().filter(need=need).count() == 0
    assert need.pk not in set(current_model().needs.ids.tolist())
    assert stored_generation() == engine_generation(current_model())


def test_editing_a_published_need_takes_it_out_until_approved_again(demo_catalog, run_on_commit):
    need = Need.objects.get(source_key="need-caohejing-cnc-defect")
    owner = member_of(need.organization)
    with run_on_commit():
        catalog_services.save_record(
            by=owner, record=need, fields={"title": need.title + "（修订）"}
        )
    assert Match.objects.active().filter(need=need).count() == 0
    with run_on_commit():
        catalog_services.approve_records(by=demo_catalog, records=[Need.objects.get(pk=need.pk)])
    assert Match.objects.active().filter(need=need).exists()
    assert stored_generation() == engine_generation(current_model())


def test_changes_during_a_full_run_are_caught_up_after_the_flip(demo_catalog, run_on_commit):
    run = MatchRun.objects.create(kind="full")
    chunks = matching.prepare_full_run(run.pk)  # snapshot taken here
    late = NeedFactory(status="submitted", title="配电房巡检机器人视觉识别")
    with run_on_commit():
        catalog_services.approve_records(
            by=demo_catalog, records=[late]
        )  # lands in the old generation
    for index in chunks:
        matching.compute_full_chunk(run.pk, index)
    with run_on_commit():
        matching.finish_full_run(run.pk)

    assert Match.objects.active().filter(need=late).exists()
    assert stored_generation() == engine_generation(current_model())


def test_not_interested_hides_the_pair_for_that_side_only(demo_catalog, run_on_commit, client):
    need = Need.objects.get(source_key="need-caohejing-cnc-defect")
    top = Match.objects.active().get(need=need, rank_for_need=1)
    owner = member_of(need.organization)
    client.force_login(owner)

    with run_on_commit():
        client.post(
            reverse("match-action"),
            {"need": need.pk, "solution": top.solution_id, "action": "not_interested"},
        )

    assert MatchFeedback.objects.get().side == "enterprise"
    kept = set(
        Match.objects.active()
        .filter(need=need, rank_for_need__isnull=False)
        .values_list("solution_id", flat=True)
    )
    assert top.solution_id not in kept
    assert Match.objects.active().filter(need=need, rank_for_need=1).exists()  # refilled
    provider_side = Match.objects.active().get(need=need, solution_id=top.solution_id)
    assert provider_side.rank_for_solution == top.rank_for_solution  # the provider still sees it
    assert stored_generation() == engine_generation(current_model())


def test_incremental_job_without_a_first_run_starts_a_full_run(run_on_commit):
    staff = StaffFactory()
    need = NeedFactory(status="submitted")
    SolutionFactory()
    with run_on_commit():
        catalog_services.approve_records(by=staff, records=[need])
    assert list(MatchRun.objects.values_list("kind", "status")) == [("full", "succeeded")]
    assert Match.objects.active().filter(need=need).count() == 1


def test_start_full_run_twice_reuses_the_queued_run():
    first = MatchRun.objects.create(kind="full", status="queued")
    assert matching.start_full_run().pk == first.pk


def test_stalled_run_does_not_block_a_new_one():
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    stalled = MatchRun.objects.create(kind="full", status="running")
    MatchRun.objects.filter(pk=stalled.pk).update(created_at=timezone.now() - timedelta(days=1))
    fresh = matching.start_full_run()
    assert fresh.pk != stalled.pk
    assert MatchRun.objects.get(pk=stalled.pk).status == "failed"


def test_a_finish_retried_after_a_failure_while_writing_stores_the_same_generation(
    demo_catalog, monkeypatch
):
    expected = stored_generation()
    run = matching.start_full_run()
    for index in matching.prepare_full_run(run.pk):
        matching.compute_full_chunk(run.pk, index)
    real = matching.match_rows.set_solution_ranks

    def fail_after_extra_rows(**kwargs):
        real(**kwargs)  # half-done: the extra rows and some ranks are written ...
        raise ConnectionError("lost the database")  # ... then the worker loses it

    monkeypatch.setattr(matching.match_rows, "set_solution_ranks", fail_after_extra_rows)
    with pytest.raises(ConnectionError):
        matching.finish_full_run(run.pk)
    monkeypatch.setattr(matching.match_rows, "set_solution_ranks", real)

    matching.finish_full_run(run.pk)  # the retry

    assert set(Match.objects.active().values_list("run_id", flat=True)) == {run.pk}
    assert stored_generation() == expected
