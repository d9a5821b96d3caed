"""Top-k selection with the engine's one tie-break: score descending, then id ascending.

`np.argpartition` alone is not deterministic at the boundary when scores tie,
so selection works by threshold: find the k-th best score of a row with
`np.partition`, take every entry at or above it (ties included), sort those few
by (score desc, id asc) and cut at k.

The solution side is a running top-k per column (`ColumnTopK`) fed block by
block: an entry is a candidate only if it reaches the column's current k-th
score, so after the first blocks almost nothing needs sorting. Because the
result is the top-k of everything seen under a strict total order, merging
per-chunk partial states in any grouping or order gives the same lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from matchmaking.engine.records import TopKEntry

NO_ID = np.iinfo(np.int64).max  # sentinel of an empty slot: sorts after every real id


def rank_within(groups: np.ndarray) -> np.ndarray:
    """0-based position of each element inside its run of equal `groups` values."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    lengths = np.diff(np.r_[starts, n])
    return np.arange(n, dtype=np.int64) - np.repeat(starts, lengths)


def row_topk(
    scores: np.ndarray, k: int, column_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row, the k best columns with score >= 0.

    Returns (rows, columns, scores, ranks) ordered by row then rank (0-based).
    `column_ids` are the ids the tie-break uses (ascending column order need
    not hold, e.g. for a subset of needs).
    """
    n_rows, n_cols = scores.shape
    if n_cols > k:
        kth = np.partition(scores, n_cols - k, axis=1)[:, n_cols - k]
        threshold = np.maximum(kth, 0.0)
    else:
        threshold = np.zeros(n_rows)
    rows, cols = np.nonzero(scores >= threshold[:, None])
    values = scores[rows, cols]
    order = np.lexsort((column_ids[cols], -values, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    ranks = rank_within(rows)
    keep = ranks < k
    return rows[keep], cols[keep], values[keep], ranks[keep]


class ColumnTopK:
    """Running top-k per column over blocks of rows (the solution side)."""

    def __init__(self, k: int, n_columns: int) -> None:
        self.k = k
        self.scores = np.full((k, n_columns), -1.0)
        self.ids = np.full((k, n_columns), NO_ID, dtype=np.int64)

    @classmethod
    def from_arrays(cls, scores: np.ndarray, ids: np.ndarray) -> ColumnTopK:
        state = cls(scores.shape[0], scores.shape[1])
        state.scores, state.ids = scores, ids
        return state

    def add_block(self, scores: np.ndarray, row_ids: np.ndarray) -> None:
        """Offer a (rows x columns) block; rows are identified by `row_ids`."""
        threshold = np.maximum(self.scores[-1], 0.0)
        n_rows = scores.shape[0]
        if n_rows > self.k and (self.scores[-1] < 0).any():
            # Columns still filling up would take every entry of the block:
            # raise their bar to the block's own k-th best first.
            kth = np.partition(scores, n_rows - self.k, axis=0)[n_rows - self.k]
            threshold = np.maximum(threshold, kth)
        rows, cols = np.nonzero(scores >= threshold[None, :])
        if len(rows):
            values, ids = scores[rows, cols], row_ids[rows]
            order = np.lexsort((ids, -values, cols))
            self._merge(cols[order], values[order], ids[order])

    def add_state(self, other: ColumnTopK) -> None:
        """Merge another partial state over the same columns."""
        threshold = np.maximum(self.scores[-1], 0.0)
        # Column-major: each column's candidates come already in rank order.
        cols, ranks = np.nonzero(threshold[:, None] <= other.scores.T)
        if len(cols):
            self._merge(cols, other.scores[ranks, cols], other.ids[ranks, cols])

    def _merge(self, cols: np.ndarray, values: np.ndarray, ids: np.ndarray) -> None:
        """Insert candidates sorted by (column, score desc, id asc).

        The stored columns are sorted too, so no big sort is needed: a
        candidate's new rank is the number of stored entries ranking before
        it plus the candidates of its column before it; a stored entry moves
        down by the number of candidates ranking before it.
        """
        k = self.k
        stored_scores, stored_ids = self.scores[:, cols], self.ids[:, cols]  # (k, c)
        before = (stored_scores > values) | ((stored_scores == values) & (stored_ids < ids))
        # `before` is a prefix of each stored column: its length is the count.
        stored_before = before.sum(axis=0)
        candidate_rank = stored_before + rank_within(cols)
        affected, column_of = np.unique(cols, return_inverse=True)
        n_affected = len(affected)
        # shift[j] of a column = candidates that rank before its stored entry j.
        histogram = np.bincount(
            column_of * (k + 1) + stored_before, minlength=n_affected * (k + 1)
        ).reshape(n_affected, k + 1)
        shift = np.cumsum(histogram, axis=1)[:, :k].T  # (k, affected)
        stored_rank = np.arange(k)[:, None] + shift
        new_scores = np.full((k, n_affected), -1.0)
        new_ids = np.full((k, n_affected), NO_ID, dtype=np.int64)
        keep = stored_rank < k
        slot_columns = np.broadcast_to(np.arange(n_affected), (k, n_affected))
        new_scores[stored_rank[keep], slot_columns[keep]] = self.scores[:, affected][keep]
        new_ids[stored_rank[keep], slot_columns[keep]] = self.ids[:, affected][keep]
        keep = candidate_rank < k
        new_scores[candidate_rank[keep], column_of[keep]] = values[keep]
        new_ids[candidate_rank[keep], column_of[keep]] = ids[keep]
        self.scores[:, affected] = new_scores
        self.ids[:, affected] = new_ids

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(ranks 0-based, columns, row ids, scores) of the filled slots."""
        ranks, cols = np.nonzero(self.scores >= 0)
        return ranks, cols, self.ids[ranks, cols], self.scores[ranks, cols]


# ----------------------------------------------------- stored-list maintenance


@dataclass(frozen=True)
class TopKMerge:
    """The outcome of merging new scores into one stored top-k list.

    - `entries`: the new list, best first (rank = position + 1).
    - `entered`: ids now in the list that were not before.
    - `left`: ids that were in the list and no longer are.
    - `complete`: False when entries were removed from a full list and the
      list may now miss candidates that were below the stored k-th entry;
      the caller must then rescore the list's owner (`score_need` /
      `score_solution`) to refill it. `entries` is still the best known.
    """

    entries: tuple[TopKEntry, ...]
    entered: tuple[int, ...]
    left: tuple[int, ...]
    complete: bool

    @property
    def changed(self) -> bool:
        return bool(self.entered or self.left) or not self.complete


def merge_into_topk(
    existing: Sequence[TopKEntry],
    new_entries: Iterable[TopKEntry],
    k: int,
    *,
    replacing: Iterable[int] = (),
) -> TopKMerge:
    """Merge fresh scores into a stored top-k list, exactly.

    `existing` is the stored list (the top-k of all candidates, in any order).
    `new_entries` are fresh scores of candidates; an id in `replacing`, or any
    id that has a new entry, loses its stored entry first (an edited item is
    rescored, a deleted or now-excluded item is dropped by passing its id in
    `replacing` with no new entry).

    The result is exact when nothing was removed from a full list, or when at
    least k known entries rank above the old k-th entry — every candidate
    outside the stored list ranked below it. Otherwise `complete` is False.
    """
    new_list = list(new_entries)
    removed = set(replacing) | {entry.other_id for entry in new_list}
    stored = sorted(existing, key=lambda entry: entry.sort_key)
    was_full = len(stored) >= k
    bound = stored[k - 1].sort_key if was_full else None
    kept = [entry for entry in stored if entry.other_id not in removed]
    removed_any = len(kept) < len(stored)
    merged = sorted(kept + new_list, key=lambda entry: entry.sort_key)
    result = tuple(merged[:k])
    complete = True
    if was_full and removed_any:
        # Candidates outside the stored list all rank after `bound`.
        known_above = sum(1 for entry in merged if entry.sort_key <= bound)
        complete = known_above >= k
        if not complete:
            result = tuple(entry for entry in merged if entry.sort_key <= bound)[:k]
    before = {entry.other_id for entry in stored}
    after = {entry.other_id for entry in result}
    return TopKMerge(
        entries=result,
        entered=tuple(sorted(after - before)),
        left=tuple(sorted(before - after)),
        complete=complete,
    )
