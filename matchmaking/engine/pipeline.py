"""Full matching runs: chunks of needs against all solutions, then a merge.

A full run is `fit` + `compute_chunk` for every group of needs + `merge_chunks`.
The Django side spreads the chunks over Celery workers (each loads the same
`FittedModel` bytes); `match_all` does the same in one process. Each need's
list depends only on its own row, and the solution-side lists are an exact
top-k under a strict order, so one chunk or many give identical results.

Inside a chunk, need rows are processed in blocks: the text block = sparse
rows @ solutions.T made dense (`DenseProduct`, about PRODUCT_CELLS cells),
then tile by tile (about CACHE_BLOCK_CELLS cells, small enough for the CPU
caches) the structured components broadcast onto it, masks, the need-side
top-k, and the running solution-side top-k. `config.block_cells` caps both.
Memory stays bounded by the block size whatever the catalog size: no block
larger than PRODUCT_CELLS is ever materialised, dense or sparse, and each
tile's top-k is selected as soon as it is scored (the product, scores and
selection of a tile are fused, as sparse_dot_topn fuses them per row).

A chunk's rows can be split over threads (`threads`, default
`default_threads()`): each thread runs the same block loop on its own rows
and buffers, and the threads' solution-side states are merged exactly.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from matchmaking.engine.config import EngineConfig
from matchmaking.engine.merge import ChunkMerger, ChunkResult, MatchResult, merge_chunks
from matchmaking.engine.model import FittedModel, fit
from matchmaking.engine.product import DenseProduct
from matchmaking.engine.records import Exclusion, NeedRecord, SolutionRecord
from matchmaking.engine.scoring import NeedRows, need_combos, score_block
from matchmaking.engine.topk import ColumnTopK, row_topk

__all__ = [
    "ChunkMerger",
    "ChunkResult",
    "MatchResult",
    "compute_chunk",
    "default_threads",
    "match_all",
    "merge_chunks",
    "run",
]

# Cells of one scoring tile at most, whatever `config.block_cells` allows: the
# two dozen elementwise passes of scoring and top-k then run on arrays of
# ~1 MB that stay in the CPU caches, instead of streaming 16 MB arrays
# through memory at every pass. Smaller tiles cost more per-tile Python
# overhead than they save.
CACHE_BLOCK_CELLS = 1 << 17
# Cells of one sparse product at most (8 MB dense), scored tile by tile.
PRODUCT_CELLS = 1 << 20
# Fewer rows than this per thread are not worth a thread.
_MIN_ROWS_PER_THREAD = 64


@dataclass
class ExclusionCells:
    """Exclusions as (need position, solution column) cells of the model, per side."""

    need_side: np.ndarray  # (E, 2) int64
    solution_side: np.ndarray

    @classmethod
    def build(
        cls, need_ids: np.ndarray, solution_ids: np.ndarray, exclusions: Iterable[Exclusion]
    ) -> ExclusionCells:
        cells: dict[str, list[tuple[int, int]]] = {"need": [], "solution": []}
        for exclusion in exclusions:
            if exclusion.side not in cells:
                raise ValueError(f"exclusion side must be 'need' or 'solution': {exclusion}")
            row = _position(need_ids, exclusion.need_id)
            col = _position(solution_ids, exclusion.solution_id)
            if row is not None and col is not None:
                cells[exclusion.side].append((row, col))
        return cls(
            need_side=np.array(cells["need"], dtype=np.int64).reshape(-1, 2),
            solution_side=np.array(cells["solution"], dtype=np.int64).reshape(-1, 2),
        )

    @staticmethod
    def in_block(cells: np.ndarray, block_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(block row offsets, columns) of the cells whose need is in the block."""
        if not len(cells):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        order = np.argsort(block_rows)
        sorted_rows = block_rows[order]
        where = np.searchsorted(sorted_rows, cells[:, 0])
        where = np.minimum(where, len(sorted_rows) - 1)
        hit = sorted_rows[where] == cells[:, 0]
        return order[where[hit]], cells[hit, 1]


def _position(sorted_ids: np.ndarray, item_id: int) -> int | None:
    at = int(np.searchsorted(sorted_ids, item_id))
    return at if at < len(sorted_ids) and sorted_ids[at] == item_id else None


def compute_chunk(
    model: FittedModel,
    need_ids: Sequence[int] | np.ndarray | None = None,
    exclusions: Iterable[Exclusion] = (),
    *,
    k: int | None = None,
    floor: np.ndarray | None = None,
    threads: int | None = None,
) -> ChunkResult:
    """Score a subset of the model's needs (default: all) against all solutions.

    `exclusions` may list all exclusions of the platform; those of other needs
    are ignored. Needs not in the model raise ValueError. `floor` (per
    solution, e.g. `ChunkMerger.floor`) lets the chunk skip solution-side
    candidates that the chunks already merged make hopeless; the merged
    result is the same with or without it. `threads` splits the chunk's rows
    over that many threads (default `default_threads()`); the result is the
    same for any number.
    """
    k = k or model.config.k
    needs = model.needs
    if need_ids is None:
        rows = np.arange(len(needs), dtype=np.int64)
    else:
        wanted = np.unique(np.asarray(need_ids, dtype=np.int64))
        rows = np.searchsorted(needs.ids, wanted)
        if len(wanted) and (
            rows.max(initial=0) >= len(needs) or not np.array_equal(needs.ids[rows], wanted)
        ):
            raise ValueError("compute_chunk got need ids that are not in the fitted model")
    # Rows of one structured combination together: a block then holds few
    # combinations and fills its static part by broadcasting a handful of rows.
    rows = rows[np.lexsort((rows, need_combos(needs)[rows]))]
    cells = ExclusionCells.build(needs.ids, model.solutions.ids, exclusions)
    # Built once here, shared read-only by the threads.
    model.solution_tables  # noqa: B018 -- warm the cached property
    model.solution_matrix_t  # noqa: B018
    n_threads = max(1, min(threads or default_threads(), len(rows) // _MIN_ROWS_PER_THREAD))
    parts = [part for part in np.array_split(rows, n_threads) if len(part)] or [rows]
    if len(parts) == 1:
        states = [_score_rows(model, parts[0], cells, k, floor)]
    else:
        with ThreadPoolExecutor(len(parts), thread_name_prefix="engine") as pool:
            states = list(pool.map(lambda part: _score_rows(model, part, cells, k, floor), parts))
    columns = states[0].columns
    started = time.perf_counter()
    for state in states[1:]:
        columns.add_state(state.columns)
    columns.flush()
    timings = {name: sum(s.timings[name] for s in states) for name in states[0].timings}
    timings["topk"] += time.perf_counter() - started
    found = {name: [part for s in states for part in s.found[name]] for name in states[0].found}
    return ChunkResult(
        solution_ids=model.solutions.ids,
        need_ids=needs.ids[rows],
        need_entries={
            name: np.concatenate(parts)
            if parts
            else np.zeros(0, np.int64 if name != "score" else np.float64)
            for name, parts in found.items()
        },
        solution_scores=columns.scores,
        solution_need_ids=columns.ids,
        k=k,
        timings=timings,
    )


def default_threads() -> int:
    """Threads per chunk when the caller names none: `MATCHING_ENGINE_THREADS`, else 1.

    One by default because a machine usually runs as many worker processes as
    it has cores; a worker alone on its machine (or the embedded default) can
    set the variable to its core count.
    """
    value = os.environ.get("MATCHING_ENGINE_THREADS", "").strip()
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        raise ValueError(f"MATCHING_ENGINE_THREADS must be an integer, not {value!r}") from None


@dataclass
class _RowsState:
    """What one thread's share of a chunk found."""

    columns: ColumnTopK
    found: dict[str, list[np.ndarray]]
    timings: dict[str, float]


def _score_rows(
    model: FittedModel,
    rows: np.ndarray,
    cells: ExclusionCells,
    k: int,
    floor: np.ndarray | None,
) -> _RowsState:
    """Product, scores and both sides' top-k of `rows`, block by block.

    numpy and scipy release the GIL inside each pass, so several of these
    run in parallel on their own buffers.
    """
    needs, solutions = model.needs, model.solutions
    tables = model.solution_tables
    dense_product = DenseProduct(model.solution_matrix_t)
    n_solutions = len(solutions)
    product_rows, tile_rows = _block_rows(model.config.block_cells, n_solutions)
    columns = ColumnTopK(k, n_solutions, floor)
    found: dict[str, list[np.ndarray]] = {"need_id": [], "solution_id": [], "score": [], "rank": []}
    timings = {"product": 0.0, "score": 0.0, "topk": 0.0}
    for start in range(0, len(rows), product_rows):
        t0 = time.perf_counter()
        product = dense_product(needs.matrix[rows[start : start + product_rows]])
        timings["product"] += time.perf_counter() - t0
        for offset in range(0, len(product), tile_rows):
            t1 = time.perf_counter()
            block = rows[start + offset : start + offset + tile_rows]
            block_ids = needs.ids[block]
            # The tile's rows of the product, a view: score_block consumes it.
            text = product[offset : offset + tile_rows]
            scores = score_block(NeedRows.build(needs, block), tables, text)
            t2 = time.perf_counter()
            _need_side(scores, cells, block, block_ids, solutions.ids, k, found)
            excluded_rows, excluded_cols = ExclusionCells.in_block(cells.solution_side, block)
            scores[excluded_rows, excluded_cols] = -1.0
            columns.add_block(scores, block_ids)
            t3 = time.perf_counter()
            timings["score"] += t2 - t1
            timings["topk"] += t3 - t2
    t4 = time.perf_counter()
    columns.flush()
    timings["topk"] += time.perf_counter() - t4
    return _RowsState(columns, found, timings)


def _block_rows(block_cells: int, n_solutions: int) -> tuple[int, int]:
    """Rows of one sparse product and rows of one scoring tile (a divisor of the first).

    The sparse product gets cheaper per row up to about PRODUCT_CELLS cells
    (fewer calls, each with its fixed cost); scoring and top-k want tiles of
    at most CACHE_BLOCK_CELLS cells, whose passes stay in the CPU caches.
    `config.block_cells` bounds both.
    """
    width = max(n_solutions, 1)
    tile_rows = max(1, min(block_cells, CACHE_BLOCK_CELLS) // width)
    product_rows = min(block_cells, PRODUCT_CELLS) // width
    return max(tile_rows, product_rows // tile_rows * tile_rows), tile_rows


def _need_side(
    scores: np.ndarray,
    cells: ExclusionCells,
    block: np.ndarray,
    block_ids: np.ndarray,
    solution_ids: np.ndarray,
    k: int,
    found: dict[str, list[np.ndarray]],
) -> None:
    excluded_rows, excluded_cols = ExclusionCells.in_block(cells.need_side, block)
    saved = scores[excluded_rows, excluded_cols]
    scores[excluded_rows, excluded_cols] = -1.0
    rows, cols, values, ranks = row_topk(scores, k, solution_ids)
    scores[excluded_rows, excluded_cols] = saved
    found["need_id"].append(block_ids[rows])
    found["solution_id"].append(solution_ids[cols])
    found["score"].append(values)
    found["rank"].append(ranks + 1)


def match_all(
    model: FittedModel,
    exclusions: Iterable[Exclusion] = (),
    *,
    k: int | None = None,
    chunk_size: int | None = None,
    threads: int | None = None,
) -> MatchResult:
    """Every need against every solution in this process (chunks run in turn).

    Each chunk is merged as soon as it is computed (one chunk in memory at a
    time) and gets the merged k-th scores so far as its floor.
    """
    exclusions = list(exclusions)
    ids = model.needs.ids
    size = chunk_size or max(len(ids), 1)
    merger = ChunkMerger(model, k or model.config.k)
    for start in range(0, max(len(ids), 1), size):
        merger.add(
            compute_chunk(
                model,
                ids[start : start + size],
                exclusions,
                k=k,
                floor=merger.floor,
                threads=threads,
            )
        )
    return merger.result()


def run(
    needs: Sequence[NeedRecord],
    solutions: Sequence[SolutionRecord],
    exclusions: Iterable[Exclusion] = (),
    config: EngineConfig | None = None,
    *,
    threads: int | None = None,
) -> MatchResult:
    """Fit and match in one call; timings include vectorising."""
    started = time.perf_counter()
    model = fit(needs, solutions, config)
    result = match_all(model, exclusions, threads=threads)
    result.timings["vectorize"] = model.timings["vectorize"]
    result.timings["total"] = time.perf_counter() - started
    return result
