"""Weights learned per domain: the engine scores each need with its industry's weights,
exactly as the per-pair rules do, and explanations still reproduce the scores."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from matchmaking.engine import EngineConfig, fit, match_all, score_pair
from matchmaking.engine.config import COMPONENTS
from matchmaking.engine.scoring import COMPONENT_NAMES, _harmonic
from tests.matchmaking.engine.test_exactness import assert_same_list, brute_force_lists

LEARNED = {
    "manufacturing": {
        "need": {"text": 0.1, "industry": 0.1, "capabilities": 0.1, "deployment": 0.1,
                 "budget": 0.1, "maturity": 0.5},
        "solution": {"text": 0.2, "industry": 0.0, "capabilities": 0.2, "deployment": 0.1,
                     "budget": 0.1, "maturity": 0.4},
    },
    "healthcare": {
        "need": dict.fromkeys(COMPONENTS, 1.0),
        "solution": {**dict.fromkeys(COMPONENTS, 0.5), "text": 2.0},
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def learned_model(corpus, small_config):
    needs, solutions = corpus
    return fit(needs, solutions, dataclasses.replace(small_config, domain_weights=LEARNED))


@pytest.fixture(scope="module")
def learned_result(learned_model):
    return match_all(learned_model)


def test_lists_with_learned_weights_equal_brute_force(corpus, learned_model, learned_result):
    needs, solutions = corpus
    sample = [n for n in needs if n.industry in LEARNED][:20] + random.Random(3).sample(needs, 10)

    expected, _ = brute_force_lists(sample, solutions, learned_model, learned_model.config.k)

    for n in sample:
        assert_same_list(learned_result.for_need(n.id), expected[n.id], "need")


def test_learned_weights_change_only_their_domains_scores(corpus, corpus_model, learned_model):
    needs, solutions = corpus
    other = next(n for n in needs if n.industry not in LEARNED and n.industry is not None)
    learned = next(n for n in needs if n.industry == "manufacturing")
    solution = next(
        s for s in solutions
        if s.organization_id not in (other.organization_id, learned.organization_id)
        and score_pair(learned, s, corpus_model) is not None
        and score_pair(other, s, corpus_model) is not None
    )  # fmt: skip

    assert (
        score_pair(other, solution, learned_model).score
        == score_pair(other, solution, corpus_model).score
    )
    assert (
        score_pair(learned, solution, learned_model).score
        != score_pair(learned, solution, corpus_model).score
    )


def test_explanations_reproduce_scores_with_learned_weights(learned_result):
    need_side = learned_result.components[:, COMPONENT_NAMES.index("need_side")].copy()
    solution_side = learned_result.components[:, COMPONENT_NAMES.index("solution_side")].copy()

    assert np.array_equal(_harmonic(need_side, solution_side), learned_result.scores)


def test_config_with_learned_weights_survives_json():
    config = EngineConfig(domain_weights=LEARNED)

    assert EngineConfig.from_json(config.to_json()) == config


def test_learned_weights_of_an_unknown_industry_are_refused():
    with pytest.raises(ValueError, match="domain_weights"):
        EngineConfig(domain_weights={"underwater": LEARNED["healthcare"]})
