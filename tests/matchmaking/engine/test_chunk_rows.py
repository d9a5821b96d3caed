"""Chunks write their own rows: the chunks' rows plus the central solution side are the
merged result, pair for pair (scores, both ranks, components, terms)."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaking import engine
from matchmaking.engine.synthetic import generate_needs, generate_solutions


def as_rows(result: engine.MatchResult) -> dict[tuple[int, int], tuple]:
    return {
        (int(result.need_ids[i]), int(result.solution_ids[i])): (
            float(result.scores[i]),
            int(result.rank_for_need[i]),
            int(result.rank_for_solution[i]),
            tuple(np.asarray(result.components[i]).tolist()),
            tuple(result.term_ids[i].tolist()),
        )
        for i in range(len(result))
    }


@pytest.mark.parametrize("chunk_size", [97, 170, 600])
def test_chunk_rows_and_the_solution_side_are_the_merged_result(chunk_size):
    needs, solutions = generate_needs(600, 1), generate_solutions(300, 1)
    model = engine.fit(needs, solutions, engine.EngineConfig(k=5, min_score=0.2))
    ids = [n.id for n in needs]
    chunks = [
        engine.compute_chunk(model, ids[i : i + chunk_size]) for i in range(0, len(ids), chunk_size)
    ]
    merger = engine.ChunkMerger(model)
    written: dict[tuple[int, int], tuple] = {}
    for chunk in chunks:
        merger.add(chunk)
        rows = as_rows(engine.chunk_rows(model, chunk))
        assert not rows.keys() & written.keys()  # each pair is written by one chunk
        assert all(rank_for_solution == 0 for _s, _n, rank_for_solution, *_ in rows.values())
        written |= rows

    side = engine.SolutionSide.split(merger)
    extra = as_rows(side.extra)
    assert not extra.keys() & written.keys()
    written |= extra
    for need_id, solution_id, rank in zip(*side.ranked, strict=True):
        key = (int(need_id), int(solution_id))
        score, rank_for_need, _none, components, terms = written[key]
        written[key] = (score, rank_for_need, int(rank), components, terms)

    merged = as_rows(engine.merge_chunks(model, chunks))
    assert len(side.extra) > 0
    assert written == merged
