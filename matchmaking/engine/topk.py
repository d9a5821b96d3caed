"""Top-k selection with the engine's one tie-break: score descending, then id ascending.

`np.argpartition` alone is not deterministic at the boundary when scores tie,
so selection works by threshold: take every entry at or above a bound that
cannot exceed the k-th best score (ties included), sort those few by
(score desc, id asc) and cut at k. Any bound at or below the k-th best gives
the same lists; a tighter one only sorts fewer candidates. A row's bound
(`row_topk`) is the k-th best of its column groups' maxima, far cheaper than
the k-th best itself.

The solution side is a running top-k per column (`ColumnTopK`) fed block by
block: an entry is a candidate only if it reaches the column's current k-th
score. Candidates are buffered and merged in bulk by one sort, so a block
costs a comparison per cell and a candidate a share of a sort. Because the
result is the top-k of everything seen under a strict total order, merging
per-chunk partial states in any grouping or order gives the same lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from matchmaking.engine.records import TopKEntry
from matchmaking.engine.scoring import SCORE_GRID

NO_ID = np.iinfo(np.int64).max  # sentinel of an empty slot: sorts after every real id
# Column groups per k in `row_topk`'s bound: more groups, a tighter bound and
# fewer candidates, but a larger partition of the group maxima.
_GROUPS_PER_K = 4
_MIN_FLUSH = 4096  # buffered column candidates merged at once, at least
_GRID_STEPS = round(1.0 / SCORE_GRID)  # a score of 1.0, in grid steps
_ID_LIMIT = 1 << 32  # ids that fit `column_order`'s packed key
# ColumnTopK's dense phase: blocks are merged by partition until this many
# rows per k were seen, in batches of at least _DENSE_MERGE_ROWS rows.
_DENSE_ROWS_PER_K = 8
_DENSE_MERGE_ROWS = 32


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

    Candidates are the entries at or above a lower bound of the row's k-th
    best score, cheaper than the k-th best itself: split the columns into
    `_GROUPS_PER_K * k` groups and take the k-th best of the group maxima.
    Those maxima are k distinct entries at or above the bound, so the row's
    k-th best is too: every entry of the top-k (ties included) is a candidate,
    and sorting the few candidates by (score desc, id asc) cuts exactly.
    """
    n_rows, n_cols = scores.shape
    if n_cols > k:
        groups = min(n_cols, _GROUPS_PER_K * k)
        if groups < n_cols:
            starts = np.arange(groups) * n_cols // groups  # every group non-empty
            maxima = np.maximum.reduceat(scores, starts, axis=1)
        else:
            maxima = scores
        kth = np.partition(maxima, groups - k, axis=1)[:, groups - k]
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
    """Running top-k per column over blocks of rows (the solution side).

    Two phases. While few rows have been seen, blocks are merged densely:
    each entry packs (score, row id) into one integer that orders exactly
    as (score desc, id asc), and a partition per column keeps the k largest
    — a few passes per cell, however many entries qualify, which is what
    the first blocks of a chunk are like (every entry beats an empty list).
    Afterwards a block's entries at or above their column's current k-th
    best score are candidates: they wait in a buffer and are merged in bulk,
    once about k x columns of them have gathered, by one sort together with
    the stored entries of the columns they touch. The thresholds rise at
    each merge, so later blocks offer few candidates.

    `floor` (per column) is a score known to be reached by k entries
    elsewhere, e.g. in chunks merged before: an entry below it can never be
    in the final list, so it is never a candidate here. Entries at the floor
    still are (the id decides a tie).
    """

    def __init__(self, k: int, n_columns: int, floor: np.ndarray | None = None) -> None:
        self.k = k
        self._scores = np.full((k, n_columns), -1.0)
        self._ids = np.full((k, n_columns), NO_ID, dtype=np.int64)
        self._floor = np.zeros(n_columns) if floor is None else np.maximum(floor, 0.0)
        self._threshold = self._floor.copy()  # an entry is a candidate at or above it
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._n_pending = 0
        self._flush_at = max(k * n_columns, _MIN_FLUSH)
        # Dense phase: packed keys of the best k per column (-1 = empty), and
        # blocks of keys waiting to be merged.
        self._keys: np.ndarray | None = np.full((k, n_columns), -1, dtype=np.int64)
        self._key_blocks: list[np.ndarray] = []
        self._key_rows = 0
        self._dense_rows = 0

    @classmethod
    def from_arrays(cls, scores: np.ndarray, ids: np.ndarray) -> ColumnTopK:
        state = cls(scores.shape[0], scores.shape[1])
        state._keys = None
        state._scores, state._ids = scores, ids
        state._threshold = np.maximum(scores[-1], 0.0)
        return state

    @property
    def scores(self) -> np.ndarray:
        """(k x columns) scores, best first; -1 marks an empty slot."""
        self.flush()
        return self._scores

    @property
    def ids(self) -> np.ndarray:
        """(k x columns) row ids matching `scores`; NO_ID marks an empty slot."""
        self.flush()
        return self._ids

    @property
    def kth(self) -> np.ndarray:
        """Each column's k-th best score so far (-1 while fewer than k): a floor for others."""
        return self.scores[-1]

    def add_block(self, scores: np.ndarray, row_ids: np.ndarray) -> None:
        """Offer a (rows x columns) block; rows are identified by `row_ids`."""
        if self._keys is not None:
            keys = _packed_keys(scores, row_ids)
            if keys is not None:
                keys[scores < self._threshold[None, :]] = -1
                self._key_blocks.append(keys)
                self._key_rows += len(keys)
                if self._key_rows >= _DENSE_MERGE_ROWS:
                    self._merge_keys()
                if self._dense_rows < _DENSE_ROWS_PER_K * self.k:
                    return
            self._end_dense()  # enough rows seen, or a block that does not pack
            if keys is not None:
                return
        rows, cols = np.nonzero(scores >= self._threshold[None, :])
        if len(rows):
            self._offer(cols, scores[rows, cols], row_ids[rows])

    def add_state(self, other: ColumnTopK) -> None:
        """Merge another partial state over the same columns."""
        self.flush()
        other_scores, other_ids = other.scores, other.ids
        mine = _state_keys(self._scores, self._ids)
        theirs = _state_keys(other_scores, other_ids)
        if mine is not None and theirs is not None:
            # Both pack: one partition per column of the 2k entries.
            merged = np.concatenate([mine, theirs])
            kept = np.partition(merged, len(merged) - self.k, axis=0)[-self.k :]
            self._scores, self._ids = _unpack(kept)
            self._threshold = np.maximum(self._scores[-1], self._floor)
            return
        ranks, cols = np.nonzero(other_scores >= self._threshold[None, :])
        if len(cols):
            self._offer(cols, other_scores[ranks, cols], other_ids[ranks, cols])

    def _merge_keys(self) -> None:
        assert self._keys is not None  # noqa: S101 -- dense phase only
        if not self._key_blocks:
            return
        merged = np.concatenate([self._keys, *self._key_blocks])
        self._dense_rows += self._key_rows
        self._key_blocks, self._key_rows = [], 0
        self._keys = np.partition(merged, len(merged) - self.k, axis=0)[-self.k :]
        kth = self._keys.min(axis=0)
        kth_score = np.where(kth >= 0, (kth >> 32) * SCORE_GRID, -1.0)
        np.maximum(self._threshold, kth_score, out=self._threshold)

    def _end_dense(self) -> None:
        """Leave the dense phase: unpack the kept keys into the stored lists, best first."""
        if self._keys is None:
            return
        self._merge_keys()
        self._scores, self._ids = _unpack(self._keys)
        self._keys = None

    def _offer(self, cols: np.ndarray, values: np.ndarray, ids: np.ndarray) -> None:
        self._pending.append((cols, values, ids))
        self._n_pending += len(cols)
        if self._n_pending >= self._flush_at:
            self.flush()

    def flush(self) -> None:
        """Merge the buffered candidates into the stored lists."""
        self._end_dense()
        if not self._pending:
            return
        cols, values, ids = (np.concatenate(parts) for parts in zip(*self._pending, strict=True))
        self._pending, self._n_pending = [], 0
        k = self.k
        touched = np.zeros(self._scores.shape[1], dtype=bool)
        touched[cols] = True
        affected = np.flatnonzero(touched)
        position = np.cumsum(touched) - 1  # column -> its index among `affected`
        stored_scores, stored_ids = self._scores[:, affected], self._ids[:, affected]
        filled_ranks, filled_at = np.nonzero(stored_scores >= 0)
        at = np.concatenate([filled_at, position[cols]])
        values = np.concatenate([stored_scores[filled_ranks, filled_at], values])
        ids = np.concatenate([stored_ids[filled_ranks, filled_at], ids])
        order = column_order(at, values, ids, len(affected))
        at, values, ids = at[order], values[order], ids[order]
        ranks = rank_within(at)
        keep = ranks < k
        new_scores = np.full((k, len(affected)), -1.0)
        new_ids = np.full((k, len(affected)), NO_ID, dtype=np.int64)
        new_scores[ranks[keep], at[keep]] = values[keep]
        new_ids[ranks[keep], at[keep]] = ids[keep]
        self._scores[:, affected] = new_scores
        self._ids[:, affected] = new_ids
        self._threshold[affected] = np.maximum(new_scores[-1], self._floor[affected])

    def entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(ranks 0-based, columns, row ids, scores) of the filled slots."""
        scores, ids = self.scores, self.ids
        ranks, cols = np.nonzero(scores >= 0)
        return ranks, cols, ids[ranks, cols], scores[ranks, cols]


def _unpack(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(scores, ids) of packed keys, each column sorted best first; -1 / NO_ID when empty."""
    keys = np.sort(keys, axis=0)[::-1]
    filled = keys >= 0
    scores = np.where(filled, (keys >> 32) * SCORE_GRID, -1.0)
    ids = np.where(filled, _ID_LIMIT - 1 - (keys & (_ID_LIMIT - 1)), NO_ID)
    return scores, ids


def _state_keys(scores: np.ndarray, ids: np.ndarray) -> np.ndarray | None:
    """Packed keys of a stored state (-1 for empty slots), or None if it does not pack."""
    filled = scores >= 0
    return _pack(np.where(filled, scores, -1.0), np.where(filled, ids, 0))


def _packed_keys(scores: np.ndarray, row_ids: np.ndarray) -> np.ndarray | None:
    """Packed keys of a block whose rows are `row_ids` (see `_pack`)."""
    if not len(row_ids):
        return None
    return _pack(scores, row_ids[:, None])


def _pack(scores: np.ndarray, ids: np.ndarray) -> np.ndarray | None:
    """(score on the grid, id) of every cell as one int64 that orders as (score desc, id asc).

    (score / grid) << 32 | (2**32 - 1 - id): a higher score, then a lower id,
    makes a larger key. Masked cells (< 0) get -1. `ids` broadcasts against
    `scores`. None when a score is off the grid or above 1, or an id outside
    [0, 2**32): the caller then takes the general path.
    """
    if not scores.size or not ids.size:
        return np.full(scores.shape, -1, dtype=np.int64)
    if ids.min() < 0 or ids.max() >= _ID_LIMIT or scores.max(initial=0.0) > 1.0:
        return None
    steps = scores * (1.0 / SCORE_GRID)
    if not np.array_equal(steps, np.rint(steps)):
        return None
    keys = (steps.astype(np.int64) << 32) | (_ID_LIMIT - 1 - ids)
    keys[scores < 0] = -1
    return keys


def column_order(
    columns: np.ndarray, scores: np.ndarray, ids: np.ndarray, n_columns: int
) -> np.ndarray:
    """Order of entries by (column, score desc, id asc); no two entries share (column, id).

    Scores on the engine's grid (multiples of SCORE_GRID in [0, 1]) and ids in
    [0, 2**32) pack into one int64 key per entry, (2**30 - score / grid) << 32
    | id, that orders a column exactly and uniquely: an unstable (fast) sort
    of the keys, then a stable sort by column, which is a radix sort for a
    16-bit column index. Anything else takes the general three-key lexsort.
    """
    steps = scores * (1.0 / SCORE_GRID)
    if (
        len(ids)
        and ids.min() >= 0
        and ids.max() < _ID_LIMIT
        and scores.min() >= 0.0
        and scores.max() <= 1.0
        and np.array_equal(steps, np.rint(steps))
    ):
        keys = ((_GRID_STEPS - steps.astype(np.int64)) << 32) | ids
        by_key = np.argsort(keys)
        column_type = np.uint16 if n_columns <= np.iinfo(np.uint16).max + 1 else np.int64
        return by_key[np.argsort(columns[by_key].astype(column_type), kind="stable")]
    return np.lexsort((ids, -scores, columns))


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
