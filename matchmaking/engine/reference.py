"""The scoring rules written out per pair in plain Python.

This is the specification the matrix code must agree with: tests compare the
engine's top-k lists with a brute force over `score_pair`. It shares only the
tokenizer, the fitted vocabulary/idf and the capabilities a need is scored
with (declared or inferred, `suggest`) with the engine — no arrays, no
tables, no sparse products.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from matchmaking.engine.config import CAPABILITIES, COMPONENTS, DEPLOYMENTS, EngineConfig
from matchmaking.engine.model import FittedModel, need_document, solution_document
from matchmaking.engine.records import NeedRecord, ScoredPair, SolutionRecord
from matchmaking.engine.scoring import SCORE_GRID
from matchmaking.engine.text import displayable, pick_terms

_EPS = 1e-9


def _weights(counts: dict[str, float], model: FittedModel) -> dict[str, float]:
    index = model.term_index
    weights = {
        term: (1.0 + math.log(count)) * float(model.idf[index[term]])
        for term, count in counts.items()
        if term in index
    }
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return {term: w / norm for term, w in weights.items()} if norm else {}


def _industry(need: NeedRecord, solution: SolutionRecord, config: EngineConfig) -> float:
    if need.industry is None or not solution.industries:
        return config.neutral
    if need.industry in solution.industries:
        return 1.0
    related = {frozenset(pair) for pair in config.related_industries}
    if any(frozenset((need.industry, other)) in related for other in solution.industries):
        return config.related_industry_score
    return 0.0


def _deployment(need: NeedRecord, solution: SolutionRecord, config: EngineConfig) -> float:
    if need.deployment is None:
        return 1.0
    if not solution.deployment_modes:
        return config.neutral
    fit = config.deployment_fit[need.deployment]
    return max(fit[DEPLOYMENTS.index(mode)] for mode in solution.deployment_modes)


def _hard_incompatible(need: NeedRecord, solution: SolutionRecord, config: EngineConfig) -> bool:
    if need.requires_filing and not solution.filing_verified:
        return True
    allowed = config.hard_deployment.get(need.deployment or "")
    if allowed is None or not solution.deployment_modes:
        return False
    return not set(allowed) & set(solution.deployment_modes)


def _budget(need: NeedRecord, solution: SolutionRecord, config: EngineConfig) -> float:
    if (need.budget_min is None and need.budget_max is None) or (
        solution.price_min is None and solution.price_max is None
    ):
        return config.neutral
    budget_max = math.inf if need.budget_max is None else float(need.budget_max)
    price_min = 0.0 if solution.price_min is None else float(solution.price_min)
    return min(1.0, max(budget_max, _EPS) / max(price_min, _EPS))


def _maturity(need: NeedRecord, solution: SolutionRecord, config: EngineConfig) -> float:
    if need.data_readiness is None or solution.maturity is None:
        return config.neutral
    return config.maturity_fit[need.data_readiness][
        ("poc", "pilot", "product").index(solution.maturity)
    ]


def _capabilities(
    need_caps: set[str], solution: SolutionRecord, config: EngineConfig
) -> tuple[float, float]:
    solution_caps = set(solution.capabilities)
    if not need_caps or not solution_caps:
        return config.neutral, config.neutral
    shared = len(need_caps & solution_caps)
    return shared / len(need_caps), shared / len(solution_caps)


def _need_capabilities(
    need: NeedRecord, model: FittedModel, cache: dict[object, object]
) -> tuple[set[str], bool]:
    """The capabilities the rules score with: declared, or inferred from the text.

    The inference is an input of the rules, not scoring arithmetic: the
    reference takes it from the model as the engine's index does.
    """
    key = ("capabilities", need)
    found = cache.get(key)
    if found is None:
        index = model.need_index([need])
        caps = {CAPABILITIES[i] for i in np.flatnonzero(index.capabilities[0])}
        found = cache[key] = (caps, bool(index.caps_inferred[0]))
    return found  # type: ignore[return-value]


def score_pair(
    need: NeedRecord,
    solution: SolutionRecord,
    model: FittedModel,
    *,
    cache: dict[object, object] | None = None,
) -> ScoredPair | None:
    """Score one pair by the rules; None when the pair is never kept.

    Never kept: hard deployment incompatibility, a need requiring a verified
    filing (备案) against a solution without one, the same organization on both
    sides (when configured), a score below `min_score`. Exclusions are the
    caller's business (they depend on the list, not on the pair).

    A brute force over many pairs may pass a `cache` dict: each record's term
    weights are then computed once instead of once per pair.
    """
    config = model.config
    if _hard_incompatible(need, solution, config):
        return None
    if config.exclude_same_organization and need.organization_id == solution.organization_id:
        return None
    tokenizer = model.tokenizer
    cache = {} if cache is None else cache
    need_weights = cache.get(need)
    if need_weights is None:
        need_weights = cache[need] = _weights(
            need_document(need, tokenizer, config.title_weight), model
        )
    solution_weights = cache.get(solution)
    if solution_weights is None:
        solution_weights = cache[solution] = _weights(
            solution_document(solution, tokenizer, config.title_weight), model
        )
    contributions = {
        term: weight * solution_weights[term]
        for term, weight in need_weights.items()
        if term in solution_weights
    }
    text = sum(contributions.values(), 0.0)
    need_caps, inferred = _need_capabilities(need, model, cache)
    coverage, offer = _capabilities(need_caps, solution, config)
    values = {
        "text": min(1.0, text / config.text_saturation),
        "industry": _industry(need, solution, config),
        "deployment": _deployment(need, solution, config),
        "budget": _budget(need, solution, config),
        "maturity": _maturity(need, solution, config),
    }
    sides = {}
    for side, capabilities in (("need", coverage), ("solution", offer)):
        weights = config.normalized_weights(side, need.industry)
        sides[side] = sum(
            weights[name] * (capabilities if name == "capabilities" else values[name])
            for name in COMPONENTS
        )
    total = sides["need"] + sides["solution"]
    # Harmonic mean, rounded to the engine's score grid (see scoring.SCORE_GRID).
    total = max(total, sys.float_info.min)
    score = min(
        1.0, round(sides["need"] * sides["solution"] * (2.0 / SCORE_GRID) / total) * SCORE_GRID
    )
    if score < config.min_score:
        return None
    glossary = tokenizer.glossary
    ranked = sorted(
        (
            term
            for term, value in contributions.items()
            if value > 0 and displayable(term, glossary)
        ),
        key=lambda term: (-contributions[term], model.term_index[term]),
    )
    return ScoredPair(
        need_id=need.id,
        solution_id=solution.id,
        score=score,
        components={
            "text": text,
            "industry": values["industry"],
            "capabilities": coverage,
            "capabilities_offer": offer,
            "deployment": values["deployment"],
            "budget": values["budget"],
            "maturity": values["maturity"],
            "need_side": sides["need"],
            "solution_side": sides["solution"],
            "capabilities_inferred": float(inferred),
        },
        terms=pick_terms(ranked, config.explain_terms),
    )
