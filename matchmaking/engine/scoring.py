"""Scores of many pairs at once, as products and broadcasts.

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
(hard deployment incompatibility, a need requiring a verified filing against
an unverified solution, same organization, below `min_score`) get the score -1.

Cost: everything that depends on the need only through its "combination" —
industry, deployment requirement, data readiness, whether its capabilities
and budget are unknown — is a per-solution "static" row, computed once per
combination and broadcast onto the block rows of that combination (callers
sort rows by combination so a block holds few). What remains per cell is the
text product, a capability popcount and the budget ratio: two dozen
element-wise passes, each cheap when the block fits the CPU caches. Every
cell goes through the same operations in the same order on a (rows x
solutions) block, on a single row and on a list of pairs (`pair_scores`), so
incremental scoring and explanations reproduce a full run bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from matchmaking.engine.config import (
    CAPABILITIES,
    COMPONENTS,
    DATA_READINESS,
    DEPLOYMENTS,
    INDUSTRIES,
    MATURITIES,
    EngineConfig,
)
from matchmaking.engine.indexes import NeedIndex, SolutionIndex

MASKED = -1.0
# Scores are rounded to multiples of 2**-30 (~1e-9). Pairs that tie in exact
# arithmetic (duplicate texts, say) can differ in the last bits depending on
# how their floats were summed; on the grid they tie for real, and the
# documented tie-break (id ascending) decides instead of rounding noise.
SCORE_GRID = 2.0**-30
_EPS = 1e-9  # a budget or price of 0 must not divide by zero
# Stands for "no upper budget": large enough to clear any price, small enough
# that dividing it by _EPS stays finite (no overflow warning).
_NO_LIMIT = 1e12

_N_IND = len(INDUSTRIES) + 1  # + "unknown", addressed as code -1
_N_DEP = len(DEPLOYMENTS) + 1  # + "no requirement"
_N_READY = len(DATA_READINESS) + 1  # + "unknown"
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << len(CAPABILITIES))], dtype=np.float64)
_CAP_BITS = (1 << np.arange(len(CAPABILITIES))).astype(np.int64)
_STATIC_CACHE = 64  # combinations kept per direction; rows arrive sorted by combination

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
    # 1.0 when the need's capabilities were inferred from its text (see `suggest`).
    "capabilities_inferred",
)


def capability_masks(multi_hot: np.ndarray) -> np.ndarray:
    return (multi_hot.astype(np.int64) @ _CAP_BITS).astype(np.int16)


@dataclass
class SolutionTables:
    """Per-solution lookup tables for one scoring run (derived, never stored)."""

    config: EngineConfig
    industry: np.ndarray  # (_N_IND, S): value for each need industry code
    deployment: np.ndarray  # (_N_DEP, S)
    hard: np.ndarray  # (_N_DEP, S) bool: never keep
    maturity: np.ndarray  # (_N_READY, S)
    caps_mask: np.ndarray  # (S,) int16 bit set
    caps_empty: np.ndarray  # (S,) bool
    caps_inverse: np.ndarray  # (S,) 1/|caps|, 0 if empty
    price_min: np.ndarray  # (S,) effective lower price: 0 -> eps, unknown -> inf
    price_unknown: np.ndarray  # (S,) bool
    organization_ids: np.ndarray
    unfiled_columns: np.ndarray  # solutions whose filing is not verified
    org_columns: dict[int, np.ndarray]
    has_hard: np.ndarray  # (_N_DEP,) bool: does this requirement mask anything?
    weights: dict[str, dict[str, float]]
    # (_N_IND, len(COMPONENTS)) per direction: the normalised weights for the needs of
    # each industry (learned per domain, else the defaults); the last row, addressed
    # as -1, is for needs without an industry.
    weight_table: dict[str, np.ndarray]
    uniform: bool  # every industry weighs as the defaults: the scalar fast path
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
        price_unknown = np.isnan(solutions.price_min) & np.isnan(solutions.price_max)
        price_min = np.maximum(np.nan_to_num(solutions.price_min, nan=0.0), _EPS)
        # An unknown price makes the budget ratio 0; the static row adds the neutral value.
        price_min[price_unknown] = np.inf

        org_columns: dict[int, list[int]] = {}
        for column, org in enumerate(solutions.organization_ids.tolist()):
            org_columns.setdefault(org, []).append(column)

        return cls(
            config=config,
            industry=industry,
            deployment=deployment,
            hard=hard,
            maturity=maturity,
            caps_mask=capability_masks(solutions.capabilities),
            caps_empty=caps_count == 0,
            caps_inverse=np.divide(1.0, caps_count, out=np.zeros(n), where=caps_count > 0),
            price_min=price_min,
            price_unknown=price_unknown,
            organization_ids=solutions.organization_ids,
            unfiled_columns=np.flatnonzero(~solutions.filing_verified.astype(bool)),
            org_columns={org: np.asarray(cols) for org, cols in org_columns.items()},
            has_hard=hard.any(axis=1),
            weights={side: config.normalized_weights(side) for side in ("need", "solution")},
            weight_table={
                side: np.array(
                    [
                        [config.normalized_weights(side, code)[c] for c in COMPONENTS]
                        for code in (*INDUSTRIES, None)
                    ]
                )
                for side in ("need", "solution")
            },
            uniform=not config.domain_weights,
        )

    def __len__(self) -> int:
        return len(self.caps_mask)

    def row_weights(self, side: str, industry: np.ndarray | int) -> dict[str, np.ndarray]:
        """Each component's weight for needs of these industry codes (-1: none)."""
        rows = self.weight_table[side][industry]
        return {name: rows[..., i] for i, name in enumerate(COMPONENTS)}

    def static(self, side: str, combo: int) -> np.ndarray:
        """The need-independent part of one direction's blend for a need combination."""
        key = (side, combo)
        row = self._static.get(key)
        if row is None:
            industry, deployment, readiness, caps_empty, budget_unknown = split_combo(combo)
            w = {name: float(value) for name, value in self.row_weights(side, industry).items()}
            neutral = self.config.neutral
            row = (
                w["industry"] * self.industry[industry]
                + w["deployment"] * self.deployment[deployment]
            ) + w["maturity"] * self.maturity[readiness]
            row += w["capabilities"] * np.where(self.caps_empty | bool(caps_empty), neutral, 0.0)
            row += w["budget"] * np.where(self.price_unknown | bool(budget_unknown), neutral, 0.0)
            if len(self._static) >= 2 * _STATIC_CACHE:
                self._static.pop(next(iter(self._static)))
            self._static[key] = row
        return row


def make_combo(
    industry: np.ndarray,
    deployment: np.ndarray,
    readiness: np.ndarray,
    caps_empty: np.ndarray,
    budget_unknown: np.ndarray,
) -> np.ndarray:
    # Codes are -1 for unknown: shift by one so every code is a non-negative digit.
    combo = ((industry + 1) * _N_DEP + (deployment + 1)) * _N_READY + (readiness + 1)
    return (combo * 2 + caps_empty) * 2 + budget_unknown


def split_combo(combo: int) -> tuple[int, int, int, int, int]:
    combo, budget_unknown = divmod(combo, 2)
    combo, caps_empty = divmod(combo, 2)
    combo, readiness = divmod(combo, _N_READY)
    industry, deployment = divmod(combo, _N_DEP)
    # Back to table rows, where -1 (unknown) is the last row.
    return industry - 1, deployment - 1, readiness - 1, caps_empty, budget_unknown


def need_combos(needs: NeedIndex) -> np.ndarray:
    """Each need's combination code (see the module docstring)."""
    caps_empty = needs.capabilities.sum(axis=1) == 0
    budget_unknown = np.isnan(needs.budget_min) & np.isnan(needs.budget_max)
    return make_combo(
        needs.industry, needs.deployment, needs.readiness, caps_empty, budget_unknown
    ).astype(np.int64)


@dataclass
class NeedRows:
    """The per-need inputs of a block, in block row order."""

    combo: np.ndarray
    caps_mask: np.ndarray  # int16 bit set
    caps_inverse: np.ndarray
    budget_max: np.ndarray  # effective upper budget: none -> _NO_LIMIT, 0 -> eps, unknown -> 0
    budget_unknown: np.ndarray
    deployment: np.ndarray
    organization_ids: np.ndarray
    caps_inferred: np.ndarray
    requires_filing: np.ndarray  # bool

    @classmethod
    def build(cls, needs: NeedIndex, rows: np.ndarray | slice) -> NeedRows:
        caps = needs.capabilities[rows]
        caps_count = caps.sum(axis=1)
        budget_min, budget_max = needs.budget_min[rows], needs.budget_max[rows]
        unknown = np.isnan(budget_min) & np.isnan(budget_max)
        effective = np.maximum(np.nan_to_num(budget_max, nan=_NO_LIMIT), _EPS)
        # An unknown budget makes the ratio 0; the static row adds the neutral value.
        effective[unknown] = 0.0
        return cls(
            combo=make_combo(
                needs.industry[rows],
                needs.deployment[rows],
                needs.readiness[rows],
                caps_count == 0,
                unknown,
            ).astype(np.int64),
            caps_mask=capability_masks(caps),
            caps_inverse=np.divide(
                1.0, caps_count, out=np.zeros(len(caps_count)), where=caps_count > 0
            ),
            budget_max=effective,
            budget_unknown=unknown,
            deployment=needs.deployment[rows],
            organization_ids=needs.organization_ids[rows],
            caps_inferred=needs.caps_inferred[rows],
            requires_filing=needs.requires_filing[rows].astype(bool),
        )


def _text_fit(text: np.ndarray, config: EngineConfig) -> np.ndarray:
    fit = text * (1.0 / config.text_saturation)
    return np.minimum(fit, 1.0, out=fit)


def _budget(need_max: np.ndarray, price_min: np.ndarray) -> np.ndarray:
    budget = need_max / price_min
    return np.minimum(budget, 1.0, out=budget)


def _blend(
    static: np.ndarray,
    text_term: np.ndarray,
    overlap: np.ndarray,
    caps_scale: np.ndarray,
    budget: np.ndarray,
    budget_weight: float,
    scratch: np.ndarray,
) -> np.ndarray:
    """One direction's weighted blend, accumulated into `static` (a fresh array)."""
    static += text_term
    return _add_capabilities_budget(static, overlap, caps_scale, budget, budget_weight, scratch)


def _add_capabilities_budget(
    partial: np.ndarray,
    overlap: np.ndarray,
    caps_scale: np.ndarray,
    budget: np.ndarray,
    budget_weight: float,
    scratch: np.ndarray,
) -> np.ndarray:
    """The blend's last two terms, added in place to static + text term."""
    np.multiply(overlap, caps_scale, out=scratch)
    partial += scratch
    np.multiply(budget, budget_weight, out=scratch)
    partial += scratch
    return partial


def _harmonic(need_side: np.ndarray, solution_side: np.ndarray) -> np.ndarray:
    """2ab / (a + b) on the SCORE_GRID, computed into `need_side`'s buffer."""
    total = need_side + solution_side
    np.maximum(total, np.finfo(np.float64).tiny, out=total)
    score = np.multiply(need_side, solution_side, out=need_side)
    score *= 2.0 / SCORE_GRID
    score /= total
    np.rint(score, out=score)
    score *= SCORE_GRID
    return np.minimum(score, 1.0, out=score)


def _static_plus_text(
    side: str, combos: np.ndarray, tables: SolutionTables, text_term: np.ndarray
) -> np.ndarray:
    """(rows x S) static part of one direction plus its text term, a fresh array.

    Rows sorted by combination come in a few runs: each run is one broadcast
    add of its static row to the text term (the same per-element sum as
    copying the static row first and adding the text term to it).
    """
    if not len(combos):
        return np.empty((0, len(tables)))
    starts = np.flatnonzero(np.r_[True, combos[1:] != combos[:-1]])
    if len(starts) <= 32:
        out = np.empty((len(combos), len(tables)))
        ends = np.r_[starts[1:], len(combos)]
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            np.add(
                tables.static(side, int(combos[start])), text_term[start:end], out=out[start:end]
            )
        return out
    distinct, inverse = np.unique(combos, return_inverse=True)
    out = np.stack([tables.static(side, int(c)) for c in distinct])[inverse]
    out += text_term
    return out


Terms = dict[str, tuple[np.ndarray, np.ndarray, float | np.ndarray]]


def _uniform_terms(tables: SolutionTables, need_rows: NeedRows, text_fit: np.ndarray) -> Terms:
    """Each direction's (text term, capability scale, budget weight) with one weight set.

    One text term per distinct text weight; the last one reuses the buffer.
    """
    weights = tables.weights
    text_weights = sorted({weights[side]["text"] for side in ("need", "solution")})
    text_terms = {w: text_fit * w for w in text_weights[:-1]}
    text_terms[text_weights[-1]] = np.multiply(text_fit, text_weights[-1], out=text_fit)
    return {
        "need": (
            text_terms[weights["need"]["text"]],
            (weights["need"]["capabilities"] * need_rows.caps_inverse)[:, None],
            weights["need"]["budget"],
        ),
        "solution": (
            text_terms[weights["solution"]["text"]],
            (weights["solution"]["capabilities"] * tables.caps_inverse)[None, :],
            weights["solution"]["budget"],
        ),
    }


def _per_row_terms(tables: SolutionTables, need_rows: NeedRows, text_fit: np.ndarray) -> Terms:
    """The same terms with each row's weights (learned per domain): the same products,
    element by element, as with one weight set — only the weights differ by row."""
    industry = _split_vector(need_rows.combo)[0]
    need_w = tables.row_weights("need", industry)
    solution_w = tables.row_weights("solution", industry)
    need_text = text_fit * need_w["text"][:, None]
    return {
        "need": (
            need_text,
            (need_w["capabilities"] * need_rows.caps_inverse)[:, None],
            need_w["budget"][:, None],
        ),
        "solution": (
            np.multiply(text_fit, solution_w["text"][:, None], out=text_fit),
            solution_w["capabilities"][:, None] * tables.caps_inverse[None, :],
            solution_w["budget"][:, None],
        ),
    }


def score_block(need_rows: NeedRows, tables: SolutionTables, text: np.ndarray) -> np.ndarray:
    """Scores of every need row against every solution; -1 where never kept.

    `text` is the (rows x solutions) cosine block; it is consumed (overwritten).
    Each step is one pass over the block, in place where its input is not
    needed again; on a block that fits the CPU caches (see `pipeline`) the
    passes cost little memory traffic.
    """
    config = tables.config
    # `_text_fit` in place: the cosines are not needed afterwards.
    text_fit = np.multiply(text, 1.0 / config.text_saturation, out=text)
    np.minimum(text_fit, 1.0, out=text_fit)
    if tables.uniform:
        terms = _uniform_terms(tables, need_rows, text_fit)
    else:
        terms = _per_row_terms(tables, need_rows, text_fit)
    overlap = _POPCOUNT[need_rows.caps_mask[:, None] & tables.caps_mask[None, :]]
    budget = _budget(need_rows.budget_max[:, None], tables.price_min[None, :])
    scratch = np.empty_like(budget)
    sides = []
    for side in ("need", "solution"):
        text_term, caps_scale, budget_weight = terms[side]
        partial = _static_plus_text(side, need_rows.combo, tables, text_term)
        sides.append(
            _add_capabilities_budget(partial, overlap, caps_scale, budget, budget_weight, scratch)
        )
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
    filing_rows = np.flatnonzero(need_rows.requires_filing)
    if len(filing_rows) and len(tables.unfiled_columns):
        # A need that requires a filed service never sees an unverified one.
        score[np.ix_(filing_rows, tables.unfiled_columns)] = MASKED
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

    The directional blends use the same arithmetic as `score_block`, element
    by element: the static part is summed in the order `SolutionTables.static`
    sums it, from the same tables gathered per pair instead of per combination.
    """
    config = tables.config
    neutral = config.neutral
    industry, deployment, readiness, need_caps_empty, budget_unknown = _split_vector(
        need_rows.combo
    )
    weights = {side: tables.row_weights(side, industry) for side in ("need", "solution")}
    industry_fit = tables.industry[industry, columns]
    deployment_fit = tables.deployment[deployment, columns]
    maturity_fit = tables.maturity[readiness, columns]
    caps_empty = need_caps_empty.astype(bool) | tables.caps_empty[columns]
    caps_neutral = np.where(caps_empty, neutral, 0.0)
    price_unknown = tables.price_unknown[columns]
    budget_neutral = np.where(price_unknown | budget_unknown.astype(bool), neutral, 0.0)
    overlap = _POPCOUNT[need_rows.caps_mask & tables.caps_mask[columns]]
    budget = _budget(need_rows.budget_max, tables.price_min[columns])
    text_fit = _text_fit(text, config)
    scratch = np.empty(len(columns))
    sides = {}
    for side, caps_scale in (
        ("need", weights["need"]["capabilities"] * need_rows.caps_inverse),
        ("solution", weights["solution"]["capabilities"] * tables.caps_inverse[columns]),
    ):
        w = weights[side]
        static = (w["industry"] * industry_fit + w["deployment"] * deployment_fit) + w[
            "maturity"
        ] * maturity_fit
        static += w["capabilities"] * caps_neutral
        static += w["budget"] * budget_neutral
        text_term = text_fit * w["text"]
        sides[side] = _blend(static, text_term, overlap, caps_scale, budget, w["budget"], scratch)
    shown_budget = np.where(need_rows.budget_unknown | price_unknown, neutral, budget)
    return {
        "text": text,
        "industry": industry_fit,
        "capabilities": np.where(caps_empty, neutral, overlap * need_rows.caps_inverse),
        "capabilities_offer": np.where(caps_empty, neutral, overlap * tables.caps_inverse[columns]),
        "deployment": deployment_fit,
        "budget": shown_budget,
        "maturity": maturity_fit,
        "need_side": sides["need"],
        "solution_side": sides["solution"],
        "capabilities_inferred": need_rows.caps_inferred.astype(np.float64),
    }


def _split_vector(
    combos: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rest, budget_unknown = np.divmod(combos, 2)
    rest, caps_empty = np.divmod(rest, 2)
    rest, readiness = np.divmod(rest, _N_READY)
    industry, deployment = np.divmod(rest, _N_DEP)
    return industry - 1, deployment - 1, readiness - 1, caps_empty, budget_unknown


if len(MATURITIES) != 3:  # the maturity table's width
    raise ImportError("maturity codes changed: update DEFAULT_MATURITY_FIT")
