"""Models and chunk results travel as bytes (no pickle) and come back identical."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaking.engine import (
    ChunkResult,
    FittedModel,
    IncompatibleModelError,
    compute_chunk,
    match_all,
)


def test_model_round_trip_scores_identically(corpus_model, corpus_result):
    restored = FittedModel.from_bytes(corpus_model.to_bytes())

    again = match_all(restored)

    assert restored.config == corpus_model.config
    assert restored.terms == corpus_model.terms
    assert np.array_equal(again.scores, corpus_result.scores)
    assert [p.terms for p in again] == [p.terms for p in corpus_result]


def test_model_from_other_algorithm_version_refused(corpus_model):
    blob = corpus_model.to_bytes()
    model = FittedModel.from_bytes(blob)
    model.algorithm_version = "aiplus-match/0.0"

    with pytest.raises(IncompatibleModelError):
        FittedModel.from_bytes(model.to_bytes())


def test_chunk_result_round_trip(corpus_model):
    chunk = compute_chunk(corpus_model, corpus_model.needs.ids[:20])

    restored = ChunkResult.from_bytes(chunk.to_bytes())

    assert np.array_equal(restored.solution_scores, chunk.solution_scores)
    assert np.array_equal(restored.solution_need_ids, chunk.solution_need_ids)
    assert {name: values.tolist() for name, values in restored.need_entries.items()} == {
        name: values.tolist() for name, values in chunk.need_entries.items()
    }
