"""The matrix engine keeps exactly the top-k a per-pair brute force keeps."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matchmaking.engine import (
    EngineConfig,
    Exclusion,
    compute_chunk,
    fit,
    match_all,
    merge_chunks,
    pipeline,
    score_pair,
)
from matchmaking.engine.config import CAPABILITIES, DEPLOYMENTS, INDUSTRIES, MATURITIES
from matchmaking.engine.pipeline import ChunkMerger, default_threads
from matchmaking.engine.records import NeedRecord, SolutionRecord
from tests.matchmaking.engine.conftest import ranked_ids


def brute_force_lists(needs, solutions, model, k, exclusions=()):
    """Top-k lists of both sides by calling score_pair on every pair."""
    hidden = {(e.need_id, e.solution_id, e.side) for e in exclusions}
    scored = {}
    for n in needs:
        for s in solutions:
            pair = score_pair(n, s, model)
            if pair is not None:
                scored[n.id, s.id] = pair.score
    need_lists = {
        n.id: sorted(
            ((score, s_id) for (n_id, s_id), score in scored.items()
             if n_id == n.id and (n_id, s_id, "need") not in hidden),
            key=lambda item: (-item[0], item[1]),
        )[:k]
        for n in needs
    }  # fmt: skip
    solution_lists = {
        s.id: sorted(
            ((score, n_id) for (n_id, s_id), score in scored.items()
             if s_id == s.id and (n_id, s_id, "solution") not in hidden),
            key=lambda item: (-item[0], item[1]),
        )[:k]
        for s in solutions
    }  # fmt: skip
    return need_lists, solution_lists


def assert_same_list(engine_pairs, expected, side):
    assert ranked_ids(engine_pairs, side) == [other for _, other in expected]
    assert [p.score for p in engine_pairs] == pytest.approx([s for s, _ in expected], abs=1e-12)


def test_need_lists_sample_equal_brute_force(corpus, corpus_model, corpus_result):
    # Arrange
    needs, solutions = corpus
    sample = random.Random(1).sample(needs, 30)

    # Act
    expected, _ = brute_force_lists(sample, solutions, corpus_model, corpus_model.config.k)

    # Assert
    for n in sample:
        assert_same_list(corpus_result.for_need(n.id), expected[n.id], "need")


def test_solution_lists_sample_equal_brute_force(corpus, corpus_model, corpus_result):
    needs, solutions = corpus
    sample = random.Random(2).sample(solutions, 12)

    _, expected = brute_force_lists(needs, sample, corpus_model, corpus_model.config.k)

    for s in sample:
        assert_same_list(corpus_result.for_solution(s.id), expected[s.id], "solution")


def test_components_of_kept_pairs_equal_reference(corpus, corpus_model, corpus_result):
    needs = {n.id: n for n in corpus[0]}
    solutions = {s.id: s for s in corpus[1]}

    for pair in corpus_result.pairs()[:200]:
        expected = score_pair(needs[pair.need_id], solutions[pair.solution_id], corpus_model)
        assert pair.components == pytest.approx(expected.components, abs=1e-12)
        assert pair.terms == expected.terms


WORDS = ["缺陷检测", "视觉", "知识库", "问答", "defect", "inspection", "knowledge base", "负荷预测",
         "forecast", "客服", "合同审查", "路径规划", "robot", "大模型"]  # fmt: skip


def texts():
    return st.lists(st.sampled_from(WORDS), min_size=0, max_size=4).map(" ".join)


def needs_strategy():
    return st.builds(
        NeedRecord,
        id=st.just(0),
        organization_id=st.integers(1, 4),
        title=texts(),
        summary=texts(),
        industry=st.none() | st.sampled_from(INDUSTRIES[:4]),
        capabilities=st.lists(st.sampled_from(CAPABILITIES[:4]), unique=True, max_size=2).map(
            tuple
        ),
        deployment=st.none() | st.sampled_from(DEPLOYMENTS),
        data_readiness=st.none() | st.sampled_from(("ready", "partial", "none")),
        budget_min=st.none() | st.integers(0, 50),
        budget_max=st.none() | st.integers(50, 200),
    )


def solutions_strategy():
    return st.builds(
        SolutionRecord,
        id=st.just(0),
        organization_id=st.integers(1, 4),
        title=texts(),
        summary=texts(),
        industries=st.lists(st.sampled_from(INDUSTRIES[:4]), unique=True, max_size=2).map(tuple),
        capabilities=st.lists(st.sampled_from(CAPABILITIES[:4]), unique=True, max_size=2).map(
            tuple
        ),
        deployment_modes=st.lists(st.sampled_from(DEPLOYMENTS), unique=True, max_size=2).map(tuple),
        maturity=st.none() | st.sampled_from(MATURITIES),
        price_min=st.none() | st.integers(0, 100),
        price_max=st.none() | st.integers(100, 300),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw_needs=st.lists(needs_strategy(), min_size=1, max_size=7),
    raw_solutions=st.lists(solutions_strategy(), min_size=1, max_size=7),
    k=st.integers(1, 4),
    exclusion_seed=st.integers(0, 1000),
)
def test_lists_equal_brute_force_for_any_catalog(raw_needs, raw_solutions, k, exclusion_seed):
    # Arrange: ids in a shuffled order, so that ties exercise the id tie-break.
    needs = [n.__class__(**{**_fields(n), "id": 10 * i + 3}) for i, n in enumerate(raw_needs)]
    solutions = [s.__class__(**{**_fields(s), "id": 100 - i}) for i, s in enumerate(raw_solutions)]
    rng = random.Random(exclusion_seed)
    exclusions = [
        Exclusion(n.id, s.id, rng.choice(("need", "solution")))
        for n in needs
        for s in solutions
        if rng.random() < 0.15
    ]
    model = fit(needs, solutions, EngineConfig(k=k, block_cells=4))

    # Act
    result = match_all(model, exclusions)
    need_lists, solution_lists = brute_force_lists(needs, solutions, model, k, exclusions)

    # Assert
    for n in needs:
        assert_same_list(result.for_need(n.id), need_lists[n.id], "need")
    for s in solutions:
        assert_same_list(result.for_solution(s.id), solution_lists[s.id], "solution")


def _fields(record):
    return {name: getattr(record, name) for name in record.__slots__}


def _arrays(result):
    return (
        result.need_ids, result.solution_ids, result.scores, result.rank_for_need,
        result.rank_for_solution, result.components, result.term_ids,
    )  # fmt: skip


def test_match_all_in_many_chunks_equals_one_chunk(corpus_model, corpus_result):
    chunked = match_all(corpus_model, chunk_size=37)

    for one, many in zip(_arrays(corpus_result), _arrays(chunked), strict=True):
        assert np.array_equal(one, many)


def test_chunks_of_any_needs_merged_in_any_order_equal_one_chunk(corpus_model, corpus_result):
    # Arrange: chunks of scattered needs, as a task queue might hand them out.
    ids = corpus_model.needs.ids.tolist()
    random.Random(3).shuffle(ids)
    groups = [ids[0:10], ids[10:150], ids[150:151], ids[151:]]

    # Act
    chunks = [compute_chunk(corpus_model, group) for group in groups]
    merged = merge_chunks(corpus_model, reversed(chunks))

    # Assert
    for one, many in zip(_arrays(corpus_result), _arrays(merged), strict=True):
        assert np.array_equal(one, many)


@pytest.mark.parametrize("threads", [2, 3])
def test_chunk_split_over_threads_equals_one_thread(corpus_model, corpus_result, threads):
    threaded = match_all(corpus_model, threads=threads)

    for one, many in zip(_arrays(corpus_result), _arrays(threaded), strict=True):
        assert np.array_equal(one, many)


def test_chunk_with_the_floor_of_merged_chunks_merges_to_the_same_lists(
    corpus_model, corpus_result
):
    # Arrange
    ids = corpus_model.needs.ids
    merger = ChunkMerger(corpus_model)
    merger.add(compute_chunk(corpus_model, ids[:150]))

    # Act
    floored = compute_chunk(corpus_model, ids[150:], floor=merger.floor)
    merger.add(floored)

    # Assert: fewer solution-side candidates kept, the same final lists.
    plain = compute_chunk(corpus_model, ids[150:])
    assert (floored.solution_scores >= 0).sum() < (plain.solution_scores >= 0).sum()
    for one, many in zip(_arrays(corpus_result), _arrays(merger.result()), strict=True):
        assert np.array_equal(one, many)


def test_default_threads_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("MATCHING_ENGINE_THREADS", raising=False)
    assert default_threads() == 1
    monkeypatch.setenv("MATCHING_ENGINE_THREADS", "2")
    assert default_threads() == 2
    monkeypatch.setenv("MATCHING_ENGINE_THREADS", "two")
    with pytest.raises(ValueError, match="MATCHING_ENGINE_THREADS"):
        default_threads()


def test_merge_chunks_covering_a_need_twice_raises(corpus_model):
    ids = corpus_model.needs.ids[:5]

    with pytest.raises(ValueError, match="same need"):
        merge_chunks(
            corpus_model, [compute_chunk(corpus_model, ids), compute_chunk(corpus_model, ids[:1])]
        )


def test_tiles_inside_larger_product_blocks_equal_one_tile_per_block(
    corpus_model, corpus_result, monkeypatch
):
    # Arrange: 200 solutions; products of 9 rows scored in tiles of 3, with a last
    # partial block, against the fixture's one 15-row tile per product.
    monkeypatch.setattr(pipeline, "CACHE_BLOCK_CELLS", 600)
    monkeypatch.setattr(pipeline, "PRODUCT_CELLS", 2_000)
    assert pipeline._block_rows(corpus_model.config.block_cells, 200) == (9, 3)  # noqa: SLF001

    # Act
    tiled = match_all(corpus_model)

    # Assert
    for one, many in zip(_arrays(corpus_result), _arrays(tiled), strict=True):
        assert np.array_equal(one, many)
