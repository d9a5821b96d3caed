"""Explanations of kept pairs: component values and the shared terms.

Only kept pairs are explained (at most k per need plus k per solution), in
batches, from the same vectors and tables the scores came from. The shared
terms are the displayable vocabulary terms with the largest contribution
(need weight x solution weight) to the text cosine, chosen as `pick_terms`
chooses them.

Everything is array work over all pairs of a batch at once, no loop over
pairs: the contributions are the elementwise product of the pairs' sparse
rows; the components are gathered from the same per-solution tables the
scorer uses; and `pick_terms`' rule (skip a term contained in another term
of the pool) is applied with the vocabulary's containment table
(`FittedModel.term_containment`), computed once per vocabulary.
"""

from __future__ import annotations

import numpy as np

from matchmaking.engine.indexes import NeedIndex, SolutionIndex
from matchmaking.engine.model import FittedModel
from matchmaking.engine.scoring import COMPONENT_NAMES, NeedRows, SolutionTables, pair_scores
from matchmaking.engine.topk import rank_within

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
    if not n_pairs:
        return components, term_ids
    displayable = model.displayable_terms
    containment = model.term_containment
    for start in range(0, n_pairs, _BATCH):
        stop = min(start + _BATCH, n_pairs)
        rows, cols = need_rows[start:stop], solution_columns[start:stop]
        shared = needs.matrix[rows].multiply(solutions.matrix[cols]).tocsr()
        text = np.asarray(shared.sum(axis=1)).ravel()
        values = pair_scores(NeedRows.build(needs, rows), tables, cols, text)
        for column, name in enumerate(COMPONENT_NAMES):
            components[start:stop, column] = values[name]
        _fill_terms(shared, displayable, containment, limit, term_ids[start:stop])
    return components, term_ids


def _fill_terms(
    shared: object,
    displayable: np.ndarray,
    containment: tuple[np.ndarray, np.ndarray],
    limit: int,
    out: np.ndarray,
) -> None:
    """`pick_terms` for every pair (row of `shared`) at once, as term ids into `out`."""
    # Term ids ascending within each pair: the stable sort below keeps that
    # order among equal contributions, so it needs no third key.
    shared.sort_indices()  # type: ignore[attr-defined]
    indptr = shared.indptr  # type: ignore[attr-defined]
    indices = shared.indices  # type: ignore[attr-defined]
    data = shared.data  # type: ignore[attr-defined]
    n_pairs = len(indptr) - 1
    # A small pair key sorts by radix; a batch never holds 2**16 pairs.
    pair_dtype = np.uint16 if n_pairs <= np.iinfo(np.uint16).max else np.int64
    pair_of = np.repeat(np.arange(n_pairs, dtype=pair_dtype), np.diff(indptr))
    keep = displayable[indices] & (data > 0)
    pair_of, indices, data = pair_of[keep], indices[keep], data[keep]
    # Most contributing first; equal contributions by term id, deterministically.
    order = np.lexsort((-data, pair_of))
    pair_of, indices = pair_of[order], indices[order]
    # The pool `pick_terms` looks at: the 2 * limit best terms of each pair,
    # as a padded (pairs x 2 * limit) table of term ids, best first.
    width = 2 * limit
    rank = rank_within(pair_of)
    in_pool = rank < width
    pair_of = pair_of[in_pool].astype(np.int64)
    indices = indices[in_pool].astype(np.int64)
    pool = np.full((n_pairs, width), -1, dtype=np.int64)
    pool[pair_of, rank[in_pool]] = indices
    # A pool term is skipped when another term of the same pool contains it:
    # list, for every pool term, the terms it contains, and find them in the pool.
    contained_ptr, contained_ids = containment
    counts = np.diff(contained_ptr)[indices]
    hosts = np.flatnonzero(counts)
    keep_slot = pool >= 0
    if len(hosts):
        host_counts = counts[hosts]
        first = np.repeat(contained_ptr[indices[hosts]], host_counts)
        offset = np.arange(int(host_counts.sum())) - np.repeat(
            np.cumsum(host_counts) - host_counts, host_counts
        )
        inside = contained_ids[first + offset]
        host_pairs = np.repeat(pair_of[hosts], host_counts)
        found, slots = np.nonzero(pool[host_pairs] == inside[:, None])
        keep_slot[host_pairs[found], slots] = False
    slot = np.cumsum(keep_slot, axis=1) - 1
    chosen_pairs, chosen_slots = np.nonzero(keep_slot & (slot < limit))
    out[chosen_pairs, slot[chosen_pairs, chosen_slots]] = pool[chosen_pairs, chosen_slots]


def components_dict(row: np.ndarray) -> dict[str, float]:
    return {name: float(value) for name, value in zip(COMPONENT_NAMES, row.tolist(), strict=True)}
