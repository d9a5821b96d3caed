"""Merging chunk results into the final lists of both sides, explained.

A chunk returns its needs' final lists and, per solution, the best needs it
saw (a partial top-k). `ChunkMerger` folds chunks in one at a time — the
need-side lists are concatenated, the solution-side states merged exactly
under the strict (score desc, id asc) order — so chunks can arrive in any
order and grouping, and only one needs to be in memory at a time. Its
running k-th scores are a floor the chunks still to come can use
(`compute_chunk(floor=...)`): an entry below it can never reach a list.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from matchmaking.engine.explain import components_dict, explain_pairs
from matchmaking.engine.model import FittedModel
from matchmaking.engine.records import ScoredPair
from matchmaking.engine.scoring import COMPONENT_NAMES
from matchmaking.engine.topk import ColumnTopK

CHUNK_FORMAT = "aiplus-engine-chunk/1"


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


class ChunkMerger:
    """Fold chunk results into one `MatchResult` (see the module docstring).

    Raises ValueError if a chunk was computed against other solutions, with
    another k, or covers a need already merged.
    """

    def __init__(self, model: FittedModel, k: int | None = None) -> None:
        self.model = model
        self.k = k
        self._columns: ColumnTopK | None = None
        self._entries: dict[str, list[np.ndarray]] = {
            "need_id": [],
            "solution_id": [],
            "score": [],
            "rank": [],
        }
        self._seen_needs: list[np.ndarray] = []
        self.timings: dict[str, float] = {"merge": 0.0}

    @property
    def columns(self) -> ColumnTopK | None:
        """The solution-side state merged so far."""
        return self._columns

    @property
    def need_parts(self) -> dict[str, list[np.ndarray]]:
        """The need-side entries of the chunks merged so far, chunk by chunk."""
        return self._entries

    @property
    def floor(self) -> np.ndarray | None:
        """Each solution's k-th best score over the chunks merged so far (-1: fewer than k)."""
        return None if self._columns is None else self._columns.kth.copy()

    def add(self, chunk: ChunkResult) -> None:
        started = time.perf_counter()
        if self.k is None:
            self.k = chunk.k
        if self._columns is None:
            self._columns = ColumnTopK(self.k, len(self.model.solutions))
        if chunk.k != self.k or not np.array_equal(chunk.solution_ids, self.model.solutions.ids):
            raise ValueError("chunk was computed with another k or other solutions")
        self._seen_needs.append(chunk.need_ids)
        self._columns.add_state(
            ColumnTopK.from_arrays(chunk.solution_scores, chunk.solution_need_ids)
        )
        for name, parts in self._entries.items():
            parts.append(chunk.need_entries[name])
        for name, value in chunk.timings.items():
            self.timings[name] = self.timings.get(name, 0.0) + value
        self.timings["merge"] += time.perf_counter() - started

    def result(self) -> MatchResult:
        """Both sides' lists, one row per kept pair, each explained."""
        started = time.perf_counter()
        k = self.k or self.model.config.k
        columns = self._columns or ColumnTopK(k, len(self.model.solutions))
        all_needs = np.concatenate(self._seen_needs) if self._seen_needs else np.zeros(0, np.int64)
        if len(np.unique(all_needs)) != len(all_needs):
            raise ValueError("two chunks covered the same need")
        need_side = {
            name: np.concatenate(parts) if parts else np.zeros(0)
            for name, parts in self._entries.items()
        }
        ranks, cols, need_ids, scores = columns.entries()
        timings = dict(self.timings)
        timings["merge"] += time.perf_counter() - started
        result = _assemble(
            self.model,
            need_side,
            {
                "need_id": need_ids,
                "solution_id": self.model.solutions.ids[cols],
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


def chunk_rows(model: FittedModel, chunk: ChunkResult) -> MatchResult:
    """The rows a chunk writes itself: its needs' lists, explained (no solution ranks yet).

    With `SolutionSide.split` the run's rows are exactly `merge_chunks`' result: every
    pair of a need's list is written by its chunk, the solution-side ranks are set
    afterwards, and only pairs in no need's list are written centrally.
    """
    empty = {
        "need_id": np.zeros(0, np.int64),
        "solution_id": np.zeros(0, np.int64),
        "score": np.zeros(0),
        "rank": np.zeros(0, np.int32),
    }
    return _assemble(model, chunk.need_entries, empty, chunk.k)


@dataclass
class SolutionSide:
    """The merged solution-side lists of a run, split against the chunks' own rows.

    `ranked` are (need id, solution id, rank) of pairs some chunk wrote already (in a
    need's list): only their solution rank is to set. `extra` are the pairs in no
    need's list, explained: rows to add.
    """

    ranked: tuple[np.ndarray, np.ndarray, np.ndarray]
    extra: MatchResult

    @classmethod
    def split(cls, merger: ChunkMerger) -> SolutionSide:
        model, k = merger.model, merger.k or merger.model.config.k
        columns = merger.columns or ColumnTopK(k, len(model.solutions))
        ranks, cols, need_ids, scores = columns.entries()
        solution_ids = model.solutions.ids[cols]
        n_solutions = max(len(model.solutions), 1)
        need_side = {
            name: np.concatenate(parts) if parts else np.zeros(0, np.int64)
            for name, parts in merger.need_parts.items()
        }

        def keys(needs: np.ndarray, solutions: np.ndarray) -> np.ndarray:
            rows = np.searchsorted(model.needs.ids, needs.astype(np.int64))
            return rows * n_solutions + np.searchsorted(model.solutions.ids, solutions)

        written = np.isin(
            keys(need_ids, solution_ids),
            keys(need_side["need_id"], need_side["solution_id"].astype(np.int64)),
        )
        empty = {
            "need_id": np.zeros(0, np.int64),
            "solution_id": np.zeros(0, np.int64),
            "score": np.zeros(0),
            "rank": np.zeros(0, np.int32),
        }
        extra = _assemble(
            model,
            empty,
            {
                "need_id": need_ids[~written],
                "solution_id": solution_ids[~written],
                "score": scores[~written],
                "rank": ranks[~written] + 1,
            },
            k,
        )
        ranked = (need_ids[written], solution_ids[written], ranks[written] + 1)
        return cls(ranked=ranked, extra=extra)


def merge_chunks(model: FittedModel, chunks: Iterable[ChunkResult]) -> MatchResult:
    """Combine chunk results into the final lists of both sides, explained.

    Raises ValueError if chunks were computed against other solutions, with
    another k, or cover a need twice.
    """
    merger = ChunkMerger(model)
    for chunk in chunks:
        merger.add(chunk)
    return merger.result()


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
