"""Scores of many pairs at once, as matrix products and broadcasts.

Per pair (need n, solution s) six components in [0, 1]:

- text: cosine of the TF-IDF vectors (the blend uses min(1, cos / saturation));
- industry: 1 exact, `related_industry_score` for a related industry, 0 none,
  neutral when either side states no industry;
- capabilities: from the need's side, the share of its capabilities the
  solution covers; from the provider's side ("capabilities_offer"), the share
  of the solution's capabilities the need uses; neutral when either is empty;
- deployment: best fit of the offered modes to the requirement (1 when the
  need states none, neutral when the solution states none);
- budget: min(1, budget_max / price_min) — 1 when the ranges overlap or the
  solution is cheaper, falling with the gap; neutral when either is unknown;
- maturity: solution maturity against the need's data readiness.

Each direction blends them with its own weights (`need_side`,
`solution_side`); the score is their harmonic mean, so a pair that fits one
side only ranks below a pair that fits both. Pairs that must never be kept
(hard deployment incompatibility, same organization, below `min_score`) get
the score -1.

Everything that depends on the need only through (industry, deployment
requirement, data readiness, capabilities empty?) is precomputed per
solution as a "static" row per such combination, so a block costs one gather
plus a handful of element-wise operations on top of the text product.
The same `_blend` runs on a (rows x solutions) block, on a single row and on
a list of pairs, so incremental scoring reproduces a full run bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matchmaking.engine.config import (
    DATA_READINESS,
    DEPLOYMENTS,
    INDUSTRIES,
    MATURITIES,
    EngineConfig,
)
from matchmaking.engine.model import NeedIndex, SolutionIndex

MASKED = -1.0
_EPS = 1e-9  # a budget or price of 0 must not divide by zero

_N_IND = len(INDUSTRIES) + 1  # + "unknown", addressed as code -1
_N_DEP = len(DEPLOYMENTS) + 1  # + "no requirement"
_N_READY = len(DATA_READINESS) + 1  # + "unknown"


@dataclass
class SolutionTables:
    """Per-solution lookup tables for one scoring run (derived, never stored)."""

    config: EngineConfig
    industry: np.ndarray  # (_N_IND, S): value for each need industry code
    deployment: np.ndarray  # (_N_DEP, S)
    hard: np.ndarray  # (_N_DEP, S) bool: never keep
    maturity: np.ndarray  # (_N_READY, S)
    capabilities: np.ndarray  # (S, C)
    caps_empty: np.ndarray  # (S,) bool
    caps_inverse: np.ndarray  # (S,) 1/|caps|, 0 if empty
    price_min: np.ndarray  # (S,) effective lower price (0 -> eps)
    price_unknown: np.ndarray  # (S,) bool
    organization_ids: np.ndarray
    org_columns: dict[int, np.ndarray]
    has_hard: np.ndarray  # (_N_DEP,) bool: does this requirement mask anything?
    weights: dict[str, dict[str, float]]
    _static: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, solutions: SolutionIndex, config: EngineConfig) -> SolutionTables:
        neutral = config.neutral
        n = len(solutions)

        # Industry: exact beats related beats none; unknown on either side is neutral.
        related = np.zeros((len(INDUSTRIES), len(INDUSTRIES)))
        for a, b in config.related_industries:
            i, j = INDUSTRIES.index(a), INDUSTRIES.index(b)
            related[i, j] = related[j, i] = 1.0
        exact = solutions.industries.T  # (I, S)
        near = (related @ solutions.industries.T) > 0
        industry = np.where(exact > 0, 1.0, np.where(near, config.related_industry_score, 0.0))
        industry = np.vstack([industry, np.full((1, n), neutral)])
        industry[:, solutions.industries.sum(axis=1) == 0] = neutral

        # Deployment: best offered mode; no requirement is a full fit.
        fit = np.array([config.deployment_fit[mode] for mode in DEPLOYMENTS])  # (D, D)
        deployment = np.vstack(
            [(solutions.deployment * fit[d][None, :]).max(axis=1) for d in range(len(DEPLOYMENTS))]
            + [np.ones(n)]
        )
        offers_any = solutions.deployment.sum(axis=1) > 0
        deployment[:-1, ~offers_any] = neutral
        hard = np.zeros((_N_DEP, n), dtype=bool)
        for requirement, allowed in config.hard_deployment.items():
            allowed_cols = [DEPLOYMENTS.index(mode) for mode in allowed]
            offers_allowed = solutions.deployment[:, allowed_cols].sum(axis=1) > 0
            hard[DEPLOYMENTS.index(requirement)] = offers_any & ~offers_allowed

        maturity_fit = np.array([config.maturity_fit[r] for r in DATA_READINESS])  # (R, M)
        maturity = np.full((_N_READY, n), neutral)
        known = solutions.maturity >= 0
        maturity[:-1, known] = maturity_fit[:, solutions.maturity[known]]

        caps_count = solutions.capabilities.sum(axis=1)
        caps_inverse = np.divide(1.0, caps_count, out=np.zeros(n), where=caps_count > 0)
        price_unknown = np.isnan(solutions.price_min) & np.isnan(solutions.price_max)
        price_min = np.maximum(np.nan_to_num(solutions.price_min, nan=0.0), _EPS)

        org_columns: dict[int, list[int]] = {}
        for column, org in enumerate(solutions.organization_ids.tolist()):
            org_columns.setdefault(org, []).append(column)

        return cls(
            config=config,
            industry=industry,
            deployment=deployment,
            hard=hard,
            maturity=maturity,
            capabilities=solutions.capabilities,
            caps_empty=caps_count == 0,
            caps_inverse=caps_inverse,
            price_min=price_min,
            price_unknown=price_unknown,
            organization_ids=solutions.organization_ids,
            org_columns={org: np.asarray(cols) for org, cols in org_columns.items()},
            has_hard=hard.any(axis=1),
            weights={side: config.normalized_weights(side) for side in ("need", "solution")},
        )

    def static(self, side: str, combo: int) -> np.ndarray:
        """The need-independent part of one direction's blend for a need combination."""
        key = (side, combo)
        row = self._static.get(key)
        if row is None:
            industry, deployment, readiness, caps_empty = _split_combo(combo)
            w = self.weights[side]
            cap_neutral = np.where(self.caps_empty | bool(caps_empty), self.config.neutral, 0.0)
            row = (
                w["industry"] * self.industry[industry]
                + w["deployment"] * self.deployment[deployment]
            ) + w["maturity"] * self.maturity[readiness]
            row += w["capabilities"] * cap_neutral
            self._static[key] = row
        return row


def _combo(
    industry: np.ndarray, deployment: np.ndarray, readiness: np.ndarray, caps_empty: np.ndarray
) -> np.ndarray:
    # Codes are -1 for unknown: shift by one so every code is a non-negative digit.
    return (
        ((industry + 1) * _N_DEP + (deployment + 1)) * _N_READY + (readiness + 1)
    ) * 2 + caps_empty


def _split_combo(combo: int) -> tuple[int, int, int, int]:
    combo, caps_empty = divmod(combo, 2)
    combo, readiness = divmod(combo, _N_READY)
    industry, deployment = divmod(combo, _N_DEP)
    # Back to table rows, where -1 (unknown) is the last row.
    return industry - 1, deployment - 1, readiness - 1, caps_empty


@dataclass
class NeedRows:
    """The per-need inputs of a block, in block row order."""

    combo: np.ndarray
    capabilities: np.ndarray  # (c, C)
    caps_inverse: np.ndarray
    budget_max: np.ndarray  # effective upper budget (unknown max -> inf, 0 -> eps)
    budget_unknown: np.ndarray
    deployment: np.ndarray
    organization_ids: np.ndarray

    @classmethod
    def build(cls, needs: NeedIndex, rows: np.ndarray | slice) -> NeedRows:
        caps = needs.capabilities[rows]
        caps_count = caps.sum(axis=1)
        budget_min, budget_max = needs.budget_min[rows], needs.budget_max[rows]
        return cls(
            combo=_combo(
                needs.industry[rows], needs.deployment[rows], needs.readiness[rows], caps_count == 0
            ),
            capabilities=caps,
            caps_inverse=np.divide(
                1.0, caps_count, out=np.zeros(len(caps_count)), where=caps_count > 0
            ),
            budget_max=np.maximum(np.nan_to_num(budget_max, nan=np.inf), _EPS),
            budget_unknown=np.isnan(budget_min) & np.isnan(budget_max),
            deployment=needs.deployment[rows],
            organization_ids=needs.organization_ids[rows],
        )


def _text_fit(text: np.ndarray, config: EngineConfig) -> np.ndarray:
    fit = text * (1.0 / config.text_saturation)
    return np.minimum(fit, 1.0, out=fit)


def _budget(need_max: np.ndarray, price_min: np.ndarray) -> np.ndarray:
    budget = need_max / price_min
    return np.minimum(budget, 1.0, out=budget)


def _blend(
    static: np.ndarray,
    text_fit: np.ndarray,
    overlap: np.ndarray,
    caps_scale: np.ndarray,
    budget: np.ndarray,
    weights: dict[str, float],
) -> np.ndarray:
    """One direction's weighted blend, accumulated into `static` (a fresh array)."""
    scratch = np.multiply(text_fit, weights["text"])
    static += scratch
    np.multiply(overlap, caps_scale, out=scratch)
    static += scratch
    np.multiply(budget, weights["budget"], out=scratch)
    static += scratch
    return static


def _harmonic(need_side: np.ndarray, solution_side: np.ndarray) -> np.ndarray:
    total = need_side + solution_side
    np.maximum(total, np.finfo(np.float64).tiny, out=total)
    score = need_side * solution_side
    score *= 2.0
    score /= total
    return np.minimum(score, 1.0, out=score)


def score_block(need_rows: NeedRows, tables: SolutionTables, text: np.ndarray) -> np.ndarray:
    """Scores of every need row against every solution; -1 where never kept.

    `text` is the (rows x solutions) cosine block; it is consumed (overwritten).
    """
    config = tables.config
    weights = tables.weights
    text_fit = _text_fit(text, config)
    del text
    overlap = need_rows.capabilities @ tables.capabilities.T
    budget = _budget(need_rows.budget_max[:, None], tables.price_min[None, :])
    budget[need_rows.budget_unknown] = config.neutral
    budget[:, tables.price_unknown] = config.neutral

    combos, inverse = np.unique(need_rows.combo, return_inverse=True)
    sides = []
    for side, caps_scale in (
        ("need", (weights["need"]["capabilities"] * need_rows.caps_inverse)[:, None]),
        ("solution", (weights["solution"]["capabilities"] * tables.caps_inverse)[None, :]),
    ):
        static = np.stack([tables.static(side, int(c)) for c in combos])[inverse]
        sides.append(_blend(static, text_fit, overlap, caps_scale, budget, weights[side]))
    score = _harmonic(*sides)
    apply_masks(score, need_rows, tables)
    return score


def apply_masks(score: np.ndarray, need_rows: NeedRows, tables: SolutionTables) -> None:
    """Mark pairs that are never kept (-1), in place."""
    config = tables.config
    hard_rows = np.flatnonzero(tables.has_hard[need_rows.deployment])
    if len(hard_rows):
        hard = tables.hard[need_rows.deployment[hard_rows]]
        block = score[hard_rows]
        block[hard] = MASKED
        score[hard_rows] = block
    if config.exclude_same_organization:
        # A loop over the block's needs (not over pairs): most have no match.
        for row, org in enumerate(need_rows.organization_ids.tolist()):
            columns = tables.org_columns.get(org)
            if columns is not None:
                score[row, columns] = MASKED
    if config.min_score > 0:
        score[score < config.min_score] = MASKED


def pair_scores(
    need_rows: NeedRows,
    tables: SolutionTables,
    columns: np.ndarray,
    text: np.ndarray,
) -> dict[str, np.ndarray]:
    """Components of a list of pairs (need_rows[i], columns[i]), for explanations.

    Uses the same blend as `score_block`, element by element.
    """
    config = tables.config
    weights = tables.weights
    neutral = config.neutral
    combos = need_rows.combo
    industry, deployment, readiness, _ = _split_vector(combos)
    overlap = np.einsum("pc,pc->p", need_rows.capabilities, tables.capabilities[columns])
    need_count = need_rows.capabilities.sum(axis=1)
    caps_empty = (need_count == 0) | tables.caps_empty[columns]
    coverage = np.where(caps_empty, neutral, overlap * need_rows.caps_inverse)
    offer = np.where(caps_empty, neutral, overlap * tables.caps_inverse[columns])
    budget = _budget(need_rows.budget_max, tables.price_min[columns])
    budget[need_rows.budget_unknown | tables.price_unknown[columns]] = neutral
    text_fit = _text_fit(text, config)
    sides = {}
    for side, caps_scale in (
        ("need", weights["need"]["capabilities"] * need_rows.caps_inverse),
        ("solution", weights["solution"]["capabilities"] * tables.caps_inverse[columns]),
    ):
        static = np.empty(len(columns))
        # A loop over the distinct need combinations (a few hundred at most).
        for combo in np.unique(combos).tolist():
            chosen = combos == combo
            static[chosen] = tables.static(side, combo)[columns[chosen]]
        sides[side] = _blend(static, text_fit, overlap, caps_scale, budget, weights[side])
    return {
        "text": text,
        "industry": tables.industry[industry, columns],
        "capabilities": coverage,
        "capabilities_offer": offer,
        "deployment": tables.deployment[deployment, columns],
        "budget": budget,
        "maturity": tables.maturity[readiness, columns],
        "need_side": sides["need"],
        "solution_side": sides["solution"],
    }


def _split_vector(combos: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rest, caps_empty = np.divmod(combos, 2)
    rest, readiness = np.divmod(rest, _N_READY)
    industry, deployment = np.divmod(rest, _N_DEP)
    return industry - 1, deployment - 1, readiness - 1, caps_empty


COMPONENT_NAMES: tuple[str, ...] = (
    "text",
    "industry",
    "capabilities",
    "capabilities_offer",
    "deployment",
    "budget",
    "maturity",
    "need_side",
    "solution_side",
)

assert len(MATURITIES) == 3  # noqa: S101 -- the maturity table's width
