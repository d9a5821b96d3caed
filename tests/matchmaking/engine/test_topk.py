"""Top-k selection equals a plain sort under the engine's order, on every path."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaking.engine.scoring import SCORE_GRID
from matchmaking.engine.topk import NO_ID, ColumnTopK, column_order, row_topk


def brute_rows(scores, k, column_ids):
    """Per row: [(column, score)] of the k best with score >= 0, by (score desc, id asc)."""
    lists = []
    for row in scores:
        kept = [(-value, column_ids[col], col) for col, value in enumerate(row) if value >= 0]
        lists.append([(col, -neg) for neg, _, col in sorted(kept)[:k]])
    return lists


def brute_columns(blocks, k):
    """Per column: [(row id, score)] of the k best with score >= 0 over all blocks."""
    n_columns = blocks[0][0].shape[1]
    lists = []
    for col in range(n_columns):
        kept = [
            (-scores[r, col], int(ids[r]))
            for scores, ids in blocks
            for r in range(len(ids))
            if scores[r, col] >= 0
        ]
        lists.append([(row_id, -neg) for neg, row_id in sorted(kept)[:k]])
    return lists


def grid_scores(rng, shape, levels=40, masked=0.1):
    """Scores on the engine's grid with many ties and some masked (-1) entries."""
    scores = rng.integers(0, levels, shape) * (SCORE_GRID * 2**24)
    scores[rng.random(shape) < masked] = -1.0
    return scores


@pytest.mark.parametrize(("n_cols", "k"), [(500, 5), (30, 5), (21, 5), (5, 5), (3, 5), (1, 1)])
def test_row_topk_equals_sorting_each_row(n_cols, k):
    # Arrange: ids not in column order, so the tie-break is exercised.
    rng = np.random.default_rng(n_cols * 10 + k)
    scores = grid_scores(rng, (40, n_cols))
    column_ids = rng.permutation(n_cols).astype(np.int64) * 7 + 3

    # Act
    rows, cols, values, ranks = row_topk(scores, k, column_ids)

    # Assert
    got = [[] for _ in range(len(scores))]
    for row, col, value, rank in zip(rows, cols, values, ranks, strict=True):
        assert rank == len(got[row])
        got[row].append((int(col), float(value)))
    assert got == brute_rows(scores, k, column_ids)


def test_row_topk_keeps_all_ties_at_the_bound():
    # Every entry ties: the bound equals the k-th score, and ids decide.
    scores = np.full((3, 200), 0.5)
    column_ids = np.arange(200)[::-1].copy()

    _, cols, _, _ = row_topk(scores, 4, column_ids)

    assert cols.reshape(3, 4).tolist() == [[199, 198, 197, 196]] * 3


def offer(state, blocks):
    for scores, ids in blocks:
        state.add_block(scores, ids)


def column_lists(state):
    scores, ids = state.scores, state.ids
    return [
        [(int(ids[r, c]), float(scores[r, c])) for r in range(state.k) if scores[r, c] >= 0]
        for c in range(scores.shape[1])
    ]


def random_blocks(rng, n_blocks, n_columns, *, on_grid=True, id_offset=0):
    blocks, next_id = [], id_offset
    for _ in range(n_blocks):
        n_rows = int(rng.integers(1, 12))
        scores = grid_scores(rng, (n_rows, n_columns))
        if not on_grid:
            scores = np.where(scores >= 0, scores + rng.random(scores.shape) * 1e-3, -1.0)
        ids = np.arange(next_id, next_id + n_rows, dtype=np.int64)
        rng.shuffle(ids)
        blocks.append((scores, ids))
        next_id += n_rows
    return blocks


@pytest.mark.parametrize(
    ("on_grid", "id_offset"),
    [(True, 0), (False, 0), (True, 1 << 40)],
    ids=["packed-keys", "off-grid-lexsort", "large-ids-lexsort"],
)
@pytest.mark.parametrize("flush_at", [1, 50, 10**9])
def test_column_topk_equals_sorting_each_column(on_grid, id_offset, flush_at):
    # Arrange
    rng = np.random.default_rng(flush_at)
    blocks = random_blocks(rng, 30, 17, on_grid=on_grid, id_offset=id_offset)
    state = ColumnTopK(4, 17)
    state._flush_at = flush_at  # noqa: SLF001 -- exercise every buffering regime

    # Act
    offer(state, blocks)

    # Assert
    assert column_lists(state) == brute_columns(blocks, 4)


@pytest.mark.parametrize(
    ("on_grid", "id_offset"),
    [(True, 0), (False, 0), (True, 1 << 40)],
    ids=["packed-keys", "off-grid-lexsort", "large-ids-lexsort"],
)
def test_column_topk_states_merged_in_any_grouping_equal_one_state(on_grid, id_offset):
    rng = np.random.default_rng(5)
    blocks = random_blocks(rng, 24, 9, on_grid=on_grid, id_offset=id_offset)
    whole = ColumnTopK(3, 9)
    offer(whole, blocks)
    parts = []
    for group in (blocks[:5], blocks[5:6], blocks[6:]):
        part = ColumnTopK(3, 9)
        offer(part, group)
        parts.append(part)

    merged = ColumnTopK(3, 9)
    for part in reversed(parts):
        merged.add_state(ColumnTopK.from_arrays(part.scores, part.ids))

    assert np.array_equal(merged.scores, whole.scores)
    assert np.array_equal(merged.ids, whole.ids)


@pytest.mark.parametrize(
    ("on_grid", "id_offset"),
    [(True, 0), (False, 0), (True, 1 << 40)],
    ids=["packed-keys", "off-grid-lexsort", "large-ids-lexsort"],
)
def test_column_topk_with_a_floor_keeps_the_best_entries_at_or_above_it(on_grid, id_offset):
    # Arrange: a floor per column, some at a score that occurs (ties at the floor stay).
    rng = np.random.default_rng(9)
    blocks = random_blocks(rng, 30, 17, on_grid=on_grid, id_offset=id_offset)
    floor = blocks[3][0].max(axis=0)
    floor[::4] = -1.0  # no floor on some columns
    state = ColumnTopK(4, 17, floor)

    # Act
    offer(state, blocks)

    # Assert
    at_or_above = [
        (np.where(scores >= np.maximum(floor, 0.0)[None, :], scores, -1.0), ids)
        for scores, ids in blocks
    ]
    assert column_lists(state) == brute_columns(at_or_above, 4)


def test_column_topk_empty_slots_stay_marked():
    state = ColumnTopK(3, 2)
    state.add_block(np.array([[0.5, -1.0]]), np.array([7]))

    assert state.scores.tolist() == [[0.5, -1.0], [-1.0, -1.0], [-1.0, -1.0]]
    assert state.ids[:, 1].tolist() == [NO_ID] * 3


@pytest.mark.parametrize("on_grid", [True, False])
def test_column_order_is_column_then_score_desc_then_id(on_grid):
    rng = np.random.default_rng(11)
    n = 5000
    columns = rng.integers(0, 70, n)
    scores = rng.integers(0, 30, n) * (SCORE_GRID * 2**25)
    if not on_grid:
        scores = scores + 1e-7
    ids = rng.permutation(n).astype(np.int64)

    order = column_order(columns, scores, ids, 70)

    assert np.array_equal(order, np.lexsort((ids, -scores, columns)))
