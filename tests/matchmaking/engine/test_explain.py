"""Vectorised explanations equal the per-pair rules they replace."""

from __future__ import annotations

import numpy as np

from matchmaking.engine.scoring import COMPONENT_NAMES, _harmonic
from matchmaking.engine.text import _contains, contained_terms, displayable, pick_terms


def test_contained_terms_equal_brute_force_over_every_pair(corpus_model):
    # Arrange: a sample of the corpus vocabulary plus terms that probe the rules
    # (word boundaries for Latin, substrings for Chinese, mixed scripts, spaces).
    extra = ["defect", "defect inspection", "inspection", "spect", "缺陷", "缺陷检测", "检测",
             "陷检", "ai", "ai 质检", "质检", "llm", "llm agent", "agent", "a b c", "b c",
             "b", "知识库问答", "知识库", "问答", "库问"]  # fmt: skip
    vocabulary = sorted(set(corpus_model.terms[::7]) | set(extra))
    glossary = corpus_model.tokenizer.glossary
    shown = np.array([displayable(t, glossary) or t in extra for t in vocabulary])
    index = {term: i for i, term in enumerate(vocabulary)}

    # Act
    indptr, indices = contained_terms(vocabulary, shown, index)

    # Assert
    got = {
        (vocabulary[i], vocabulary[j])
        for i in range(len(vocabulary))
        for j in indices[indptr[i] : indptr[i + 1]]
    }
    expected = {
        (longer, shorter)
        for longer, shown_l in zip(vocabulary, shown, strict=True)
        if shown_l
        for shorter, shown_s in zip(vocabulary, shown, strict=True)
        if shown_s and shorter != longer and _contains(longer, shorter)
    }
    assert got == expected
    assert ("defect inspection", "defect") in got
    assert ("缺陷检测", "缺陷") in got
    assert ("defect inspection", "spect") not in got


def per_pair_terms(model, rows, cols):
    """The shared terms of each pair by the per-pair rule: rank, then `pick_terms`."""
    shared = model.needs.matrix[rows].multiply(model.solutions.matrix[cols]).tocsr()
    limit = model.config.explain_terms
    shown = model.displayable_terms
    out = []
    for pair in range(len(rows)):
        begin, end = shared.indptr[pair], shared.indptr[pair + 1]
        entries = [
            (-value, term)
            for term, value in zip(
                shared.indices[begin:end].tolist(), shared.data[begin:end].tolist(), strict=True
            )
            if shown[term] and value > 0
        ]
        ranked = [model.terms[term] for _, term in sorted(entries)]
        out.append(pick_terms(ranked, limit))
    return out


def test_terms_of_every_kept_pair_equal_per_pair_rule(corpus_model, corpus_result):
    rows = np.searchsorted(corpus_model.needs.ids, corpus_result.need_ids)
    cols = np.searchsorted(corpus_model.solutions.ids, corpus_result.solution_ids)

    expected = per_pair_terms(corpus_model, rows, cols)

    assert [pair.terms for pair in corpus_result] == expected
    assert sum(len(terms) for terms in expected) > len(expected)  # terms were found at all


def test_components_of_every_kept_pair_reproduce_its_score_exactly(corpus_result):
    # The directional blends of the explanation are the scorer's, bit for bit.
    need_side = corpus_result.components[:, COMPONENT_NAMES.index("need_side")].copy()
    solution_side = corpus_result.components[:, COMPONENT_NAMES.index("solution_side")].copy()

    assert np.array_equal(_harmonic(need_side, solution_side), corpus_result.scores)
