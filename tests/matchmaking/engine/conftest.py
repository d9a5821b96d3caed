"""Builders and corpora for the engine tests (no Django anywhere)."""

from __future__ import annotations

import dataclasses

import pytest

from matchmaking.engine import EngineConfig, FittedModel, MatchResult, fit, match_all
from matchmaking.engine.records import NeedRecord, SolutionRecord
from matchmaking.engine.synthetic import generate_needs, generate_solutions


def need(id: int, title: str = "需求", **fields: object) -> NeedRecord:  # noqa: A002 -- the record's field
    fields.setdefault("organization_id", 1000 + id)
    return NeedRecord(id=id, title=title, **fields)  # type: ignore[arg-type]


def solution(id: int, title: str = "方案", **fields: object) -> SolutionRecord:  # noqa: A002
    fields.setdefault("organization_id", 2000 + id)
    return SolutionRecord(id=id, title=title, **fields)  # type: ignore[arg-type]


def ranked_ids(pairs: list, side: str) -> list[int]:
    """The other side's ids of a ranked list of ScoredPairs."""
    return [p.solution_id if side == "need" else p.need_id for p in pairs]


@pytest.fixture(scope="session")
def corpus() -> tuple[list[NeedRecord], list[SolutionRecord]]:
    """A synthetic catalog big enough to have ties, masks and exclusions."""
    needs = generate_needs(300, seed=7, organizations=120)
    # Organizations overlap with the needs' so that some pairs are same-organization.
    solutions = generate_solutions(200, seed=7, organizations=150, first_organization=60)
    return needs, solutions


@pytest.fixture(scope="session")
def small_config() -> EngineConfig:
    # Small blocks so that several blocks and chunks are exercised.
    return EngineConfig(k=5, block_cells=3_000)


@pytest.fixture(scope="session")
def corpus_model(corpus, small_config) -> FittedModel:
    needs, solutions = corpus
    return fit(needs, solutions, small_config)


@pytest.fixture(scope="session")
def corpus_result(corpus_model) -> MatchResult:
    return match_all(corpus_model)


def with_config(model: FittedModel, **changes: object) -> FittedModel:
    return dataclasses.replace(model, config=dataclasses.replace(model.config, **changes))
