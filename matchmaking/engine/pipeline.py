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
Memory stays bounded by the block size whatever the catalog size.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from matchmaking.engine.config import EngineConfig
from matchmaking.engine.explain import components_dict, explain_pairs
from matchmaking.engine.model import FittedModel, fit
from matchmaking.engine.product import DenseProduct
from matchmaking.engine.records import Exclusion, NeedRecord, ScoredPair, SolutionRecord
from matchmaking.engine.scoring import COMPONENT_NAMES, NeedRows, need_combos, score_block
from matchmaking.engine.topk import ColumnTopK, row_topk

CHUNK_FORMAT = "aiplus-engine-chunk/1"
# Cells of one scoring tile at most, whatever `config.block_cells` allows: the
# two dozen elementwise passes of scoring and top-k then run on arrays of
# ~1 MB that stay in the CPU caches, instead of streaming 16 MB arrays
# through memory at every pass. Smaller tiles cost more per-tile Python
# overhead than they save.
CACHE_BLOCK_CELLS = 1 << 17
# Cells of one sparse product at most (8 MB dense), scored tile by tile.
PRODUCT_CELLS = 1 << 20


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


@dataclass
class ChunkResult:
    """What one chunk task returns: its needs' lists and solution-side candidates.

    `need_entries` are the final need-side lists of the chunk's needs
    (need id, solution id, score, rank 1-based). `solution_scores` /
    `solution_need_ids` are (k x solutions) partial top-k states: the best
    needs of this chunk for every solution, merged exactly by `merge_chunks`.
    """

    solution_ids: np.ndarray
    need_ids: np.ndarray  # the needs this chunk covered
    need_entries: dict[str, np.ndarray]
    solution_scores: np.ndarray
    solution_need_ids: np.ndarray
    k: int
    timings: dict[str, float] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        """An .npz archive (no pickle), small enough for a result backend."""
        meta = {"format": CHUNK_FORMAT, "k": self.k, "timings": self.timings}
        buffer = io.BytesIO()
        np.savez(
            buffer,
            allow_pickle=False,
            meta=np.frombuffer(json.dumps(meta).encode(), np.uint8),
            solution_ids=self.solution_ids,
            need_ids=self.need_ids,
            solution_scores=self.solution_scores,
            solution_need_ids=self.solution_need_ids,
            **{"entry_" + name: values for name, values in self.need_entries.items()},
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> ChunkResult:
        with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode())
        if meta.get("format") != CHUNK_FORMAT:
            raise ValueError(f"not an engine chunk result: {meta.get('format')!r}")
        entries = {
            name.removeprefix("entry_"): arrays.pop(name)
            for name in list(arrays)
            if name.startswith("entry_")
        }
        return cls(need_entries=entries, k=meta["k"], timings=meta["timings"], **arrays)


def compute_chunk(
    model: FittedModel,
    need_ids: Sequence[int] | np.ndarray | None = None,
    exclusions: Iterable[Exclusion] = (),
    *,
    k: int | None = None,
) -> ChunkResult:
    """Score a subset of the model's needs (default: all) against all solutions.

    `exclusions` may list all exclusions of the platform; those of other needs
    are ignored. Needs not in the model raise ValueError.
    """
    k = k or model.config.k
    needs, solutions = model.needs, model.solutions
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
    cells = ExclusionCells.build(needs.ids, solutions.ids, exclusions)
    tables = model.solution_tables
    dense_product = DenseProduct(model.solution_matrix_t)
    n_solutions = len(solutions)
    product_rows, tile_rows = _block_rows(model.config.block_cells, n_solutions)
    columns = ColumnTopK(k, n_solutions)
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
    return ChunkResult(
        solution_ids=solutions.ids,
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


def merge_chunks(model: FittedModel, chunks: Iterable[ChunkResult]) -> MatchResult:
    """Combine chunk results into the final lists of both sides, explained.

    Raises ValueError if chunks were computed against other solutions, with
    another k, or cover a need twice.
    """
    started = time.perf_counter()
    chunks = list(chunks)
    k = chunks[0].k if chunks else model.config.k
    solutions = model.solutions
    columns = ColumnTopK(k, len(solutions))
    entries: dict[str, list[np.ndarray]] = {
        "need_id": [],
        "solution_id": [],
        "score": [],
        "rank": [],
    }
    seen_needs = []
    timings: dict[str, float] = {}
    for chunk in chunks:
        if chunk.k != k or not np.array_equal(chunk.solution_ids, solutions.ids):
            raise ValueError("chunk was computed with another k or other solutions")
        seen_needs.append(chunk.need_ids)
        columns.add_state(ColumnTopK.from_arrays(chunk.solution_scores, chunk.solution_need_ids))
        for name in entries:
            entries[name].append(chunk.need_entries[name])
        for name, value in chunk.timings.items():
            timings[name] = timings.get(name, 0.0) + value
    all_needs = np.concatenate(seen_needs) if seen_needs else np.zeros(0, np.int64)
    if len(np.unique(all_needs)) != len(all_needs):
        raise ValueError("two chunks covered the same need")
    need_side = {
        name: np.concatenate(parts) if parts else np.zeros(0) for name, parts in entries.items()
    }
    ranks, cols, need_ids, scores = columns.entries()
    timings["merge"] = time.perf_counter() - started
    result = _assemble(
        model,
        need_side,
        {
            "need_id": need_ids,
            "solution_id": solutions.ids[cols],
            "score": scores,
            "rank": ranks + 1,
        },
        k,
    )
    result.timings = {**timings, **result.timings}
    result.timings["product_topk"] = sum(
        result.timings.get(name, 0.0) for name in ("product", "score", "topk", "merge")
    )
    return result


def _assemble(
    model: FittedModel,
    need_side: dict[str, np.ndarray],
    solution_side: dict[str, np.ndarray],
    k: int,
) -> MatchResult:
    """Union both sides' entries into one row per pair and explain each."""
    started = time.perf_counter()
    needs, solutions = model.needs, model.solutions
    n_solutions = max(len(solutions), 1)

    def keys(side: dict[str, np.ndarray]) -> np.ndarray:
        rows = np.searchsorted(needs.ids, side["need_id"].astype(np.int64))
        cols = np.searchsorted(solutions.ids, side["solution_id"].astype(np.int64))
        return rows * n_solutions + cols

    need_keys, solution_keys = keys(need_side), keys(solution_side)
    # Sort and drop repeats (np.unique's hash path is slower on these keys).
    all_keys = np.sort(np.concatenate([need_keys, solution_keys]))
    all_keys = all_keys[np.r_[True, all_keys[1:] != all_keys[:-1]]] if len(all_keys) else all_keys
    n_pairs = len(all_keys)
    score = np.zeros(n_pairs)
    rank_need = np.zeros(n_pairs, dtype=np.int32)
    rank_solution = np.zeros(n_pairs, dtype=np.int32)
    at = np.searchsorted(all_keys, need_keys)
    score[at] = need_side["score"]
    rank_need[at] = need_side["rank"]
    at = np.searchsorted(all_keys, solution_keys)
    score[at] = solution_side["score"]
    rank_solution[at] = solution_side["rank"]
    rows, cols = np.divmod(all_keys, n_solutions)
    components, term_ids = explain_pairs(model, needs, rows, solutions, model.solution_tables, cols)
    result = MatchResult(
        algorithm_version=model.algorithm_version,
        k=k,
        need_ids=needs.ids[rows],
        solution_ids=solutions.ids[cols],
        scores=score,
        rank_for_need=rank_need,
        rank_for_solution=rank_solution,
        components=components,
        term_ids=term_ids,
        terms=model.terms,
    )
    result.timings["explanations"] = time.perf_counter() - started
    return result


@dataclass
class MatchResult:
    """All kept pairs of a run, stored column-wise (millions of pairs fit).

    Iterate it (or call `pairs()`) for `ScoredPair` objects; rows are ordered
    by need id, then solution id. A rank of 0 in the arrays means "not in that
    side's top-k" (None on a ScoredPair).
    """

    algorithm_version: str
    k: int
    need_ids: np.ndarray
    solution_ids: np.ndarray
    scores: np.ndarray
    rank_for_need: np.ndarray
    rank_for_solution: np.ndarray
    components: np.ndarray
    term_ids: np.ndarray
    terms: list[str]
    timings: dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.need_ids)

    def pair(self, i: int) -> ScoredPair:
        rank_need = int(self.rank_for_need[i])
        rank_solution = int(self.rank_for_solution[i])
        return ScoredPair(
            need_id=int(self.need_ids[i]),
            solution_id=int(self.solution_ids[i]),
            score=float(self.scores[i]),
            components=components_dict(self.components[i]),
            terms=tuple(self.terms[t] for t in self.term_ids[i].tolist() if t >= 0),
            rank_for_need=rank_need or None,
            rank_for_solution=rank_solution or None,
        )

    def __iter__(self) -> Iterator[ScoredPair]:
        return (self.pair(i) for i in range(len(self)))

    def pairs(self) -> list[ScoredPair]:
        return list(self)

    @cached_property
    def _by_solution(self) -> np.ndarray:
        return np.argsort(self.solution_ids, kind="stable")

    def for_need(self, need_id: int) -> list[ScoredPair]:
        """The need's top-k, best first."""
        lo, hi = np.searchsorted(self.need_ids, [need_id, need_id + 1])
        rows = [i for i in range(lo, hi) if self.rank_for_need[i]]
        return [self.pair(i) for i in sorted(rows, key=lambda i: self.rank_for_need[i])]

    def for_solution(self, solution_id: int) -> list[ScoredPair]:
        """The solution's top-k, best first."""
        order = self._by_solution
        lo, hi = np.searchsorted(self.solution_ids[order], [solution_id, solution_id + 1])
        rows = [int(i) for i in order[lo:hi] if self.rank_for_solution[i]]
        return [self.pair(i) for i in sorted(rows, key=lambda i: self.rank_for_solution[i])]

    def component_names(self) -> tuple[str, ...]:
        return COMPONENT_NAMES


def match_all(
    model: FittedModel,
    exclusions: Iterable[Exclusion] = (),
    *,
    k: int | None = None,
    chunk_size: int | None = None,
) -> MatchResult:
    """Every need against every solution in this process (chunks run in turn)."""
    exclusions = list(exclusions)
    ids = model.needs.ids
    size = chunk_size or max(len(ids), 1)
    chunks = [
        compute_chunk(model, ids[start : start + size], exclusions, k=k)
        for start in range(0, max(len(ids), 1), size)
    ]
    return merge_chunks(model, chunks)


def run(
    needs: Sequence[NeedRecord],
    solutions: Sequence[SolutionRecord],
    exclusions: Iterable[Exclusion] = (),
    config: EngineConfig | None = None,
) -> MatchResult:
    """Fit and match in one call; timings include vectorising."""
    started = time.perf_counter()
    model = fit(needs, solutions, config)
    result = match_all(model, exclusions)
    result.timings["vectorize"] = model.timings["vectorize"]
    result.timings["total"] = time.perf_counter() - started
    return result
