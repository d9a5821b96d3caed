"""Learned weights: a component that predicts outcomes is found; noise is rejected."""

from __future__ import annotations

import random

import numpy as np
import pytest

from matchmaking.engine.config import DEFAULT_NEED_WEIGHTS, DEFAULT_SOLUTION_WEIGHTS
from matchmaking.engine.learning import Pair, fit_domain, grade, ndcg_at_k

COMPONENT_KEYS = (
    "text",
    "industry",
    "capabilities",
    "capabilities_offer",
    "deployment",
    "budget",
    "maturity",
)


def history(*, needs: int, predictive: str | None, seed: int) -> list[Pair]:
    """Needs with 20 matched solutions each; components drawn at random.

    With `predictive`, the outcome grows with that component (the best-fitting
    solutions reached a pilot or contract, the worst were declined); without it,
    outcomes are drawn regardless of the components.
    """
    rng = random.Random(seed)
    pairs = []
    for need_id in range(1, needs + 1):
        for solution_id in range(1, 21):
            components = {key: rng.random() for key in COMPONENT_KEYS}
            components["text"] *= 0.5  # cosines of short texts rarely pass 0.5
            if predictive is None:
                relevance = rng.choice((0, 0, 0, 0, 1, 2, 3, 4, 5))
            else:
                signal = components[predictive] + rng.gauss(0, 0.1)
                relevance = int(np.clip(round(signal * 6 - 1), 0, 5))
            pairs.append(Pair(need_id, solution_id, components, relevance))
    return pairs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_component_that_predicts_outcomes_is_weighted_up_and_adopted(seed):
    pairs = history(needs=200, predictive="maturity", seed=seed)

    fit = fit_domain(pairs, DEFAULT_NEED_WEIGHTS, DEFAULT_SOLUTION_WEIGHTS)

    assert fit.adopted
    assert fit.ndcg_fitted >= fit.ndcg_current + 0.02
    assert fit.need_weights["maturity"] > DEFAULT_NEED_WEIGHTS["maturity"]
    assert fit.solution_weights["maturity"] > DEFAULT_SOLUTION_WEIGHTS["maturity"]
    assert fit.test_queries > 30


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_weights_fitted_to_noise_are_rejected(seed):
    pairs = history(needs=200, predictive=None, seed=seed)

    fit = fit_domain(pairs, DEFAULT_NEED_WEIGHTS, DEFAULT_SOLUTION_WEIGHTS)

    # It fits its training needs better, yet not the held-out ones.
    assert fit.ndcg_train_fitted > fit.ndcg_train_current
    assert fit.adopted is False
    assert fit.reason == "not_better_on_held_out"


def test_too_little_history_is_not_fitted():
    pairs = history(needs=5, predictive="maturity", seed=1)

    fit = fit_domain(pairs, DEFAULT_NEED_WEIGHTS, DEFAULT_SOLUTION_WEIGHTS)

    assert (fit.adopted, fit.reason) == (False, "too_few_outcomes")
    assert fit.need_weights == DEFAULT_NEED_WEIGHTS


def test_grade_orders_outcomes_and_lets_a_poor_rating_cap_them():
    assert [
        grade(s) for s in ([], ["interest"], ["accepted"], ["nda"], ["pilot"], ["contract"])
    ] == [
        0,
        1,
        2,
        3,
        4,
        5,
    ]
    assert grade(["interest", "not_interested"]) == 0
    assert grade(["met", "not_interested"]) == 2
    assert grade(["pilot"], ratings=[2, 5]) == 1


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise():
    relevance = np.array([0.0, 3.0, 1.0])

    assert ndcg_at_k(np.array([0.1, 0.9, 0.5]), relevance) == 1.0
    assert ndcg_at_k(np.array([0.9, 0.1, 0.5]), relevance) < 1.0
