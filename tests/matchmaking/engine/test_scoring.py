"""Structured fit, hard incompatibility, exclusions and the score range."""

from __future__ import annotations

import pytest

from matchmaking.engine import EngineConfig, Exclusion, fit, match_all, score_pair
from tests.matchmaking.engine.conftest import need, ranked_ids, solution

VISION = {"capabilities": ("computer_vision",), "industry": "manufacturing"}


def test_on_premise_need_and_cloud_only_solution_never_matched():
    # Arrange
    needs = [need(1, "产线缺陷检测", deployment="on_premise", **VISION)]
    solutions = [
        solution(
            1, "缺陷检测云服务", deployment_modes=("cloud", "hybrid"), industries=("manufacturing",)
        ),
        solution(2, "电网负荷预测", deployment_modes=("on_premise",)),
    ]

    # Act
    result = match_all(fit(needs, solutions))

    # Assert: the cloud-only solution is on neither list, however good its text.
    assert ranked_ids(result.for_need(1), "need") == [2]
    assert result.for_solution(1) == []


def test_need_requiring_a_filing_never_matched_with_an_unverified_solution():
    needs = [
        need(1, "产线缺陷检测", requires_filing=True, **VISION),
        need(2, "产线缺陷检测", **VISION),
    ]
    solutions = [
        solution(1, "缺陷检测大模型", filing_verified=True),
        solution(2, "缺陷检测大模型"),
    ]
    model = fit(needs, solutions)

    result = match_all(model)

    # The requiring need sees the verified one only; the other need sees both, and the
    # reference (the rules written per pair) agrees.
    assert ranked_ids(result.for_need(1), "need") == [1]
    assert sorted(ranked_ids(result.for_need(2), "need")) == [1, 2]
    assert score_pair(needs[0], solutions[1], model) is None
    assert score_pair(needs[0], solutions[0], model) is not None


def test_on_premise_need_and_edge_solution_matched():
    needs = [need(1, "产线缺陷检测", deployment="on_premise", **VISION)]
    solutions = [solution(1, "缺陷检测", deployment_modes=("edge",))]

    result = match_all(fit(needs, solutions))

    assert ranked_ids(result.for_need(1), "need") == [1]


def test_one_sided_fit_ranks_below_two_sided_fit():
    # Arrange: both solutions cover the need fully (same text, same need-side
    # view); the broad platform uses only one of its six capabilities on it.
    needs = [need(1, "知识库问答", capabilities=("knowledge_qa",))]
    focused = solution(1, "知识库问答", capabilities=("knowledge_qa",))
    broad = solution(
        2,
        "知识库问答",
        capabilities=(
            "knowledge_qa",
            "agent",
            "speech",
            "translation",
            "multimodal",
            "code_generation",
        ),
    )
    model = fit(needs, [focused, broad])

    # Act
    ranked = match_all(model).for_need(1)
    one_sided = score_pair(needs[0], broad, model)

    # Assert
    assert ranked_ids(ranked, "need") == [1, 2]
    assert one_sided.components["need_side"] == ranked[0].components["need_side"]
    assert (
        one_sided.score
        < (one_sided.components["need_side"] + one_sided.components["solution_side"]) / 2
    )


def test_need_side_exclusion_hides_pair_from_need_list_only_and_fills_up():
    needs = [need(1, "知识库问答")]
    solutions = [solution(1, "知识库问答"), solution(2, "知识问答"), solution(3, "电网预测")]
    model = fit(needs, solutions, EngineConfig(k=2))

    result = match_all(model, [Exclusion(need_id=1, solution_id=1, side="need")])

    assert ranked_ids(result.for_need(1), "need") == [2, 3]
    assert ranked_ids(result.for_solution(1), "solution") == [1]


def test_solution_side_exclusion_hides_pair_from_solution_list_only():
    needs = [need(1, "知识库问答"), need(2, "知识问答")]
    solutions = [solution(1, "知识库问答")]
    model = fit(needs, solutions)

    result = match_all(model, [Exclusion(need_id=1, solution_id=1, side="solution")])

    assert ranked_ids(result.for_solution(1), "solution") == [2]
    assert ranked_ids(result.for_need(1), "need") == [1]


def test_same_organization_never_matched():
    needs = [need(1, "知识库问答", organization_id=5)]
    solutions = [solution(1, "知识库问答", organization_id=5), solution(2, "知识库问答")]

    result = match_all(fit(needs, solutions))

    assert ranked_ids(result.for_need(1), "need") == [2]


def test_budget_far_below_price_scores_lower():
    needs = [need(1, "视觉检测", budget_min=5, budget_max=10, **VISION)]
    affordable = solution(1, "视觉检测", price_min=5, price_max=20)
    expensive = solution(2, "视觉检测", price_min=100, price_max=300)
    unknown = solution(3, "视觉检测")
    model = fit(needs, [affordable, expensive, unknown])

    ranked = match_all(model).for_need(1)

    assert ranked_ids(ranked, "need") == [1, 3, 2]
    assert [p.components["budget"] for p in ranked] == [1.0, 0.5, 0.1]


def test_related_industry_scores_between_exact_and_unrelated():
    needs = [need(1, "视觉检测", industry="automotive")]
    solutions = [
        solution(1, "视觉检测", industries=("automotive",)),
        solution(2, "视觉检测", industries=("manufacturing",)),
        solution(3, "视觉检测", industries=("finance",)),
    ]

    ranked = match_all(fit(needs, solutions)).for_need(1)

    assert [(p.solution_id, p.components["industry"]) for p in ranked] == [
        (1, 1.0),
        (2, 0.5),
        (3, 0.0),
    ]


def test_scores_and_components_within_unit_interval(corpus_result):
    scores = corpus_result.scores
    components = corpus_result.components

    assert scores.min() >= 0.0
    assert scores.max() <= 1.0
    assert components.min() >= 0.0
    assert components.max() <= 1.0 + 1e-12


def test_export_component_keys_present(corpus_result):
    pair = next(iter(corpus_result))

    assert {"industry", "capabilities", "text", "budget", "deployment"} <= set(pair.components)


def test_empty_catalog_sides_give_empty_results():
    needs = [need(1, "知识库问答")]
    solutions = [solution(1, "知识库问答")]

    assert len(match_all(fit(needs, []))) == 0
    assert len(match_all(fit([], solutions))) == 0
    assert len(match_all(fit([], []))) == 0


def test_unknown_code_rejected():
    with pytest.raises(ValueError, match="unknown industry code"):
        fit([need(1, industry="mining")], [])
