"""Incremental scoring: one new or edited item against the other side, no refit.

When a need is approved or edited, `score_need(model, need)` scores it against
every solution of the stored model with the stored vocabulary and idf; the
result equals what a full recompute with the same model (plus this need)
would give for every pair involving the need. `score_solution` is the mirror.

How the persistence layer applies an `ItemScores` (for a need; swap the sides
for a solution):

1. Replace the need's own list with `result.top` (ScoredPairs with
   `rank_for_need`; `rank_for_solution` is left None: it comes from step 2).
2. Load the stored solution-side lists as `{solution_id: [TopKEntry(need_id,
   score), …]}` and call `result.update_other_lists(stored, k)`. It returns,
   for every list that changes, a `TopKMerge`: the new entries in rank order,
   the need ids that `entered` and `left`, and `complete`. Explain entering
   pairs with `result.explain(solution_ids)`. When `complete` is False (the
   need dropped out of a full list and a stored list cannot know its next
   candidate), call `score_solution(model, solution)` and store its `top`.
3. Keep the model current for later incremental calls: `model.with_needs([need])`
   (or `without_needs` for a deleted or rejected need, whose entries leave via
   `remove_from_lists`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matchmaking.engine.explain import components_dict, explain_pairs
from matchmaking.engine.indexes import NeedIndex, SolutionIndex
from matchmaking.engine.model import FittedModel
from matchmaking.engine.records import (
    Exclusion,
    NeedRecord,
    ScoredPair,
    Side,
    SolutionRecord,
    TopKEntry,
)
from matchmaking.engine.scoring import NeedRows, SolutionTables, score_block
from matchmaking.engine.topk import TopKMerge, merge_into_topk, row_topk


@dataclass
class ItemScores:
    """One item scored against the whole other side.

    `own_scores[i]` is the score against `other_ids[i]` as the item's own list
    sees it, `other_scores[i]` as the other item's list sees it; they differ
    only by exclusions. -1 marks a pair that list never keeps.
    """

    side: Side
    item_id: int
    other_ids: np.ndarray
    own_scores: np.ndarray
    other_scores: np.ndarray
    top: tuple[ScoredPair, ...]
    k: int
    _model: FittedModel
    _needs: NeedIndex
    _solutions: SolutionIndex
    _tables: SolutionTables

    def entries_for_others(self) -> dict[int, TopKEntry]:
        """The entry this item would have in each other item's list (eligible pairs only)."""
        eligible = np.flatnonzero(self.other_scores >= 0)
        return {
            int(other): TopKEntry(self.item_id, float(score))
            for other, score in zip(
                self.other_ids[eligible].tolist(), self.other_scores[eligible].tolist(), strict=True
            )
        }

    def update_other_lists(
        self, stored: Mapping[int, Sequence[TopKEntry]], k: int | None = None
    ) -> dict[int, TopKMerge]:
        """Merge this item into the other side's stored lists; only changed lists return.

        Pass every stored list of the other side; an id missing from `stored`
        is taken as an empty list. The item's previous entries (if it was
        edited) are replaced.
        """
        k = k or self.k
        entries = self.entries_for_others()
        changed: dict[int, TopKMerge] = {}
        for other_id in set(stored) | set(entries):
            existing = stored.get(other_id, ())
            entry = entries.get(other_id)
            present = any(e.other_id == self.item_id for e in existing)
            if not present and entry is None:
                continue
            if not present and len(existing) >= k:
                # A cheap pre-check: most lists do not take the new entry.
                worst = max(e.sort_key for e in existing)
                if entry is not None and entry.sort_key > worst:
                    continue
            merged = merge_into_topk(
                existing, [entry] if entry else [], k, replacing=[self.item_id]
            )
            if merged.changed or present:
                changed[other_id] = merged
        return changed

    def explain(self, other_ids: Iterable[int]) -> list[ScoredPair]:
        """ScoredPairs for this item with the given other ids (ranks left None)."""
        other_ids = np.asarray(list(other_ids), dtype=np.int64)
        positions = np.searchsorted(self.other_ids, other_ids)
        found = positions < len(self.other_ids)
        if not found.all() or not np.array_equal(self.other_ids[positions], other_ids):
            raise ValueError("explain got ids that are not on the other side of the model")
        if self.side == "need":
            need_rows = np.zeros(len(positions), dtype=np.int64)
            columns = positions
        else:
            need_rows = positions
            columns = np.zeros(len(positions), dtype=np.int64)
        components, term_ids = explain_pairs(
            self._model, self._needs, need_rows, self._solutions, self._tables, columns
        )
        terms = self._model.terms
        pairs = []
        for i, other in enumerate(other_ids.tolist()):
            need_id, solution_id = (
                (self.item_id, other) if self.side == "need" else (other, self.item_id)
            )
            pairs.append(
                ScoredPair(
                    need_id=need_id,
                    solution_id=solution_id,
                    score=float(self.other_scores[positions[i]])
                    if self.other_scores[positions[i]] >= 0
                    else float(self.own_scores[positions[i]]),
                    components=components_dict(components[i]),
                    terms=tuple(terms[t] for t in term_ids[i].tolist() if t >= 0),
                )
            )
        return pairs


def _excluded(
    exclusions: Iterable[Exclusion], side: Side, item_id: int, other_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions in `other_ids` hidden from the item's own list / from the others' lists."""
    own, others = [], []
    for exclusion in exclusions:
        mine = exclusion.need_id if side == "need" else exclusion.solution_id
        if mine != item_id:
            continue
        other = exclusion.solution_id if side == "need" else exclusion.need_id
        at = int(np.searchsorted(other_ids, other))
        if at < len(other_ids) and other_ids[at] == other:
            (own if exclusion.side == side else others).append(at)
    return np.asarray(own, dtype=np.int64), np.asarray(others, dtype=np.int64)


def score_need(
    model: FittedModel,
    need: NeedRecord,
    exclusions: Iterable[Exclusion] = (),
    *,
    k: int | None = None,
) -> ItemScores:
    """Score one new or edited need against every solution of the model."""
    k = k or model.config.k
    needs = model.need_index([need])
    solutions = model.solutions
    text = (needs.matrix @ model.solution_matrix_t).toarray()
    scores = score_block(NeedRows.build(needs, np.arange(1)), model.solution_tables, text)[0]
    own_hidden, others_hidden = _excluded(exclusions, "need", need.id, solutions.ids)
    return _item_scores(
        model, "need", need.id, solutions.ids, scores, own_hidden, others_hidden, k,
        needs, solutions, model.solution_tables,
    )  # fmt: skip


def score_solution(
    model: FittedModel,
    solution: SolutionRecord,
    exclusions: Iterable[Exclusion] = (),
    *,
    k: int | None = None,
) -> ItemScores:
    """Score one new or edited solution against every need of the model."""
    k = k or model.config.k
    solutions = model.solution_index([solution])
    tables = SolutionTables.build(solutions, model.config)
    needs = model.needs
    # needs @ solution.T keeps the per-pair summation order of the full run
    # (row-wise over the need's terms), so the scores match it bit for bit.
    text = (needs.matrix @ solutions.matrix.T.tocsr()).toarray()
    scores = score_block(NeedRows.build(needs, np.arange(len(needs))), tables, text)[:, 0]
    own_hidden, others_hidden = _excluded(exclusions, "solution", solution.id, needs.ids)
    return _item_scores(
        model, "solution", solution.id, needs.ids, scores, own_hidden, others_hidden, k,
        needs, solutions, tables,
    )  # fmt: skip


def _item_scores(
    model: FittedModel,
    side: Side,
    item_id: int,
    other_ids: np.ndarray,
    scores: np.ndarray,
    own_hidden: np.ndarray,
    others_hidden: np.ndarray,
    k: int,
    needs: NeedIndex,
    solutions: SolutionIndex,
    tables: SolutionTables,
) -> ItemScores:
    own = scores.copy()
    own[own_hidden] = -1.0
    other = scores.copy()
    other[others_hidden] = -1.0
    result = ItemScores(
        side=side,
        item_id=item_id,
        other_ids=other_ids,
        own_scores=own,
        other_scores=other,
        top=(),
        k=k,
        _model=model,
        _needs=needs,
        _solutions=solutions,
        _tables=tables,
    )
    _, cols, values, ranks = row_topk(own[None, :], k, other_ids)
    explained = result.explain(other_ids[cols])
    rank_field = "rank_for_need" if side == "need" else "rank_for_solution"
    result.top = tuple(
        _with(pair, score=float(value), **{rank_field: int(rank) + 1})
        for pair, value, rank in zip(explained, values.tolist(), ranks.tolist(), strict=True)
    )
    return result


def _with(pair: ScoredPair, **changes: object) -> ScoredPair:
    return dataclasses.replace(pair, **changes)  # type: ignore[arg-type]


def remove_from_lists(
    item_id: int, stored: Mapping[int, Sequence[TopKEntry]], k: int
) -> dict[int, TopKMerge]:
    """Drop a deleted or withdrawn item from the other side's stored lists.

    Lists that had it and were full come back with `complete=False`: rescore
    their owners to refill them.
    """
    return {
        other_id: merge_into_topk(existing, [], k, replacing=[item_id])
        for other_id, existing in stored.items()
        if any(entry.other_id == item_id for entry in existing)
    }
