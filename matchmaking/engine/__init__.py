"""The matching engine: pure Python + numpy/scipy, no Django.

Public API (see each module's docstring for the why):

- records: `NeedRecord`, `SolutionRecord`, `Exclusion`, `ScoredPair`, `TopKEntry`
- configuration: `EngineConfig`, `DEFAULT_RELATED_INDUSTRIES`, `ALGORITHM_VERSION`
- full runs: `fit` -> `FittedModel`; `compute_chunk` -> `ChunkResult`;
  `merge_chunks` or `ChunkMerger` (one chunk at a time, with a floor for the
  next chunks) -> `MatchResult`; `match_all` / `run` in one process
- incremental: `score_need`, `score_solution` -> `ItemScores`;
  `merge_into_topk`, `remove_from_lists` -> `TopKMerge`
- reference: `score_pair` (plain Python, per pair)
"""

from matchmaking.engine.config import DEFAULT_RELATED_INDUSTRIES, EngineConfig
from matchmaking.engine.incremental import ItemScores, remove_from_lists, score_need, score_solution
from matchmaking.engine.merge import SolutionSide, chunk_rows
from matchmaking.engine.model import FittedModel, IncompatibleModelError, fit
from matchmaking.engine.pipeline import (
    ChunkMerger,
    ChunkResult,
    MatchResult,
    compute_chunk,
    match_all,
    merge_chunks,
    run,
)
from matchmaking.engine.records import Exclusion, NeedRecord, ScoredPair, SolutionRecord, TopKEntry
from matchmaking.engine.reference import score_pair
from matchmaking.engine.topk import TopKMerge, merge_into_topk
from matchmaking.engine.version import ALGORITHM_VERSION

__all__ = [
    "ALGORITHM_VERSION",
    "DEFAULT_RELATED_INDUSTRIES",
    "ChunkMerger",
    "ChunkResult",
    "EngineConfig",
    "Exclusion",
    "FittedModel",
    "IncompatibleModelError",
    "ItemScores",
    "MatchResult",
    "NeedRecord",
    "ScoredPair",
    "SolutionRecord",
    "SolutionSide",
    "TopKEntry",
    "TopKMerge",
    "chunk_rows",
    "compute_chunk",
    "fit",
    "match_all",
    "merge_chunks",
    "merge_into_topk",
    "remove_from_lists",
    "run",
    "score_need",
    "score_pair",
    "score_solution",
]
