"""The writer of match rows: the same rows on PostgreSQL (COPY) and elsewhere (INSERT)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import numpy as np
import pytest

from matchmaking import engine
from matchmaking.engine.scoring import COMPONENT_NAMES
from matchmaking.models import Match, MatchRun
from matchmaking.services.match_rows import round4, write_match_rows
from tests.factories import NeedFactory, SolutionFactory

pytestmark = pytest.mark.django_db

# Terms that COPY's text format must escape, and one with a `%` for the templates.
TERMS = ["视觉质检", "tab\there", "new\nline", "back\\slash", '"quoted"', "100% 覆盖", "ok"]
AT = datetime(2027, 3, 10, 5, 30, tzinfo=UTC)


def result_for(need_ids: list[int], solution_ids: list[int]) -> engine.MatchResult:
    """Four pairs with half-step components, padded terms and missing ranks."""
    components = np.array(
        [
            [0.12345, 0.5, 1.0, 0.0, 0.33335, 0.00005, 0.99995, 0.25, 1 / 3, 0.0],
            [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0],
            [2 / 3, 1e-9, 0.123449999, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0],
        ]
    )
    assert components.shape[1] == len(COMPONENT_NAMES)
    return engine.MatchResult(
        algorithm_version="test-1",
        k=2,
        need_ids=np.array([need_ids[0], need_ids[0], need_ids[1], need_ids[1]], dtype=np.int64),
        solution_ids=np.array(
            [solution_ids[0], solution_ids[1], solution_ids[0], solution_ids[1]], dtype=np.int64
        ),
        scores=np.array([0.91, 0.5, 0.123456789, 0.0], dtype=np.float32),
        rank_for_need=np.array([1, 2, 1, 0], dtype=np.int32),
        rank_for_solution=np.array([1, 0, 2, 1], dtype=np.int32),
        components=components,
        term_ids=np.array([[0, 1, -1], [-1, 2, 3], [4, 5, 6], [-1, -1, -1]], dtype=np.int64),
        terms=TERMS,
    )


def expected_rows(run: MatchRun, result: engine.MatchResult) -> list[tuple]:
    """What the rows must hold, computed pair by pair in plain Python."""
    rows = [
        (
            pair.need_id,
            pair.solution_id,
            run.pk,
            float(np.float32(pair.score)),
            {k: round(float(v), 4) for k, v in pair.components.items()},
            list(pair.terms),
            pair.rank_for_need,
            pair.rank_for_solution,
            "test-1",
            AT,
        )
        for pair in result
    ]
    return sorted(rows, key=lambda row: (row[0], row[1]))


def stored_rows(run: MatchRun) -> list[tuple]:
    return list(
        Match.objects.filter(run=run)
        .order_by("need_id", "solution_id")
        .values_list(
            "need_id",
            "solution_id",
            "run_id",
            "score",
            "components",
            "terms",
            "rank_for_need",
            "rank_for_solution",
            "algorithm_version",
            "computed_at",
        )
    )


@pytest.fixture
def pairs():
    needs = [NeedFactory().pk, NeedFactory().pk]
    solutions = [SolutionFactory().pk, SolutionFactory().pk]
    return result_for(needs, solutions)


def test_write_match_rows_writes_every_pair_as_python_would(pairs):
    run = MatchRun.objects.create(kind=MatchRun.Kind.FULL)

    written = write_match_rows(run_id=run.pk, result=pairs, computed_at=AT)

    assert written == 4
    assert stored_rows(run) == expected_rows(run, pairs)


def test_write_match_rows_takes_a_chunk_of_pairs(pairs):
    """A chunk's pairs are any slice of a result: written alone, they are the same rows."""
    run = MatchRun.objects.create(kind=MatchRun.Kind.FULL)
    chunks = [
        dataclasses.replace(
            pairs,
            **{
                name: getattr(pairs, name)[part]
                for name in (
                    "need_ids",
                    "solution_ids",
                    "scores",
                    "rank_for_need",
                    "rank_for_solution",
                    "components",
                    "term_ids",
                )
            },
        )
        for part in (slice(0, 1), slice(1, 4))
    ]

    written = [write_match_rows(run_id=run.pk, result=chunk, computed_at=AT) for chunk in chunks]

    assert written == [1, 3]
    assert stored_rows(run) == expected_rows(run, pairs)


def test_write_match_rows_of_an_empty_result_writes_nothing(pairs):
    run = MatchRun.objects.create(kind=MatchRun.Kind.FULL)
    empty = dataclasses.replace(
        pairs,
        need_ids=pairs.need_ids[:0],
        solution_ids=pairs.solution_ids[:0],
        scores=pairs.scores[:0],
        rank_for_need=pairs.rank_for_need[:0],
        rank_for_solution=pairs.rank_for_solution[:0],
        components=pairs.components[:0],
        term_ids=pairs.term_ids[:0],
    )

    assert write_match_rows(run_id=run.pk, result=empty) == 0
    assert Match.objects.count() == 0


def test_round4_equals_python_round_on_half_steps():
    rng = np.random.default_rng(7)
    values = np.concatenate(
        [
            rng.random(2000),
            np.arange(0, 1, 0.00005),  # every half step of the fourth decimal
            [1e7 + 0.00005, -0.00005, 0.12345, 0.99995],
        ]
    ).reshape(-1, 1)

    assert round4(values)[:, 0].tolist() == [round(float(v), 4) for v in values[:, 0]]
