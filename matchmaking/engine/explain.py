"""Explanations of kept pairs: component values and the shared terms.

Only kept pairs are explained (at most k per need plus k per solution), in
batches, from the same vectors and tables the scores came from. The shared
terms are the displayable vocabulary terms with the largest contribution
(need weight x solution weight) to the text cosine.
"""

from __future__ import annotations

import numpy as np

from matchmaking.engine.indexes import NeedIndex, SolutionIndex
from matchmaking.engine.model import FittedModel
from matchmaking.engine.scoring import COMPONENT_NAMES, NeedRows, SolutionTables, pair_scores
from matchmaking.engine.text import pick_terms

_BATCH = 20_000  # pairs per sparse row product: bounds memory at ~100 MB


def explain_pairs(
    model: FittedModel,
    needs: NeedIndex,
    need_rows: np.ndarray,
    solutions: SolutionIndex,
    tables: SolutionTables,
    solution_columns: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Components (P x len(COMPONENT_NAMES)) and term ids (P x limit, -1 padded)."""
    limit = model.config.explain_terms
    n_pairs = len(need_rows)
    components = np.zeros((n_pairs, len(COMPONENT_NAMES)))
    term_ids = np.full((n_pairs, limit), -1, dtype=np.int32)
    displayable = model.displayable_terms
    terms = model.terms
    for start in range(0, n_pairs, _BATCH):
        stop = min(start + _BATCH, n_pairs)
        rows, cols = need_rows[start:stop], solution_columns[start:stop]
        shared = needs.matrix[rows].multiply(solutions.matrix[cols]).tocsr()
        text = np.asarray(shared.sum(axis=1)).ravel()
        values = pair_scores(NeedRows.build(needs, rows), tables, cols, text)
        components[start:stop] = np.column_stack([values[name] for name in COMPONENT_NAMES])
        _fill_terms(shared, displayable, terms, limit, term_ids[start:stop])
    return components, term_ids


def _fill_terms(
    shared: object,
    displayable: np.ndarray,
    terms: list[str],
    limit: int,
    out: np.ndarray,
) -> None:
    indptr = shared.indptr  # type: ignore[attr-defined]
    indices = shared.indices  # type: ignore[attr-defined]
    data = shared.data  # type: ignore[attr-defined]
    pair_of = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    keep = displayable[indices] & (data > 0)
    pair_of, indices, data = pair_of[keep], indices[keep], data[keep]
    # Most contributing first; equal contributions by term id, deterministically.
    order = np.lexsort((indices, -data, pair_of))
    pair_of, indices = pair_of[order], indices[order]
    starts = np.searchsorted(pair_of, np.arange(len(out) + 1))
    pool = 2 * limit
    index_of = {}
    for pair in range(len(out)):
        begin, end = starts[pair], min(starts[pair + 1], starts[pair] + pool)
        if begin == end:
            continue
        ranked = [terms[i] for i in indices[begin:end].tolist()]
        chosen = pick_terms(ranked, limit)
        for slot, term in enumerate(chosen):
            term_id = index_of.get(term)
            if term_id is None:
                term_id = index_of[term] = int(indices[begin + ranked.index(term)])
            out[pair, slot] = term_id


def components_dict(row: np.ndarray) -> dict[str, float]:
    return {name: float(value) for name, value in zip(COMPONENT_NAMES, row.tolist(), strict=True)}
