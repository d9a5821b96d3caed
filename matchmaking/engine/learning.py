"""Weights learned from outcomes: fit the score's component weights per industry domain.

What came of past matches is graded relevance (see `grade`): a contract beats a
pilot beats an NDA beats a meeting or an accepted introduction; "not interested" and
declined introductions are 0. For each need of a domain with at least one relevant
solution, its matched solutions form one ranked query. The score of a pair under a
weight set is the engine's: each direction blends the components with its weights,
and the score is the harmonic mean of the two blends (`scores`).

`fit_domain` searches multipliers of the current weights (one per component, the same
for both directions, so the buyer's and the provider's emphases keep their shape) by
coordinate ascent on the mean nDCG@10 of the training queries, then compares the
fitted and the current weights on held-out queries. The fit is adopted only when the
held-out nDCG@10 improves by at least `margin` and the paired gain stands `z`
standard errors clear of zero: a history of noise fits its training queries, not the
held-out ones, and is rejected.

No Django: the Django side gathers the history (services.weights) and stores the result.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from matchmaking.engine.config import COMPONENTS

# Components as stored with a match (`ScoredPair.components`); the provider's side
# reads "capabilities_offer" where the buyer's reads "capabilities".
_NEED_SIDE = tuple(COMPONENTS)
_SOLUTION_SIDE = tuple("capabilities_offer" if c == "capabilities" else c for c in COMPONENTS)
MULTIPLIERS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
K = 10

# Relevance grades of what came of a pair.
GRADES: dict[str, int] = {
    "not_interested": 0,
    "declined": 0,
    "interest": 1,
    "accepted": 2,
    "met": 2,
    "follow_up": 2,
    "nda": 3,
    "pilot": 4,
    "contract": 5,
}


def grade(signals: Sequence[str], ratings: Sequence[int] = ()) -> int:
    """A pair's relevance: its furthest signal; a poor rating (≤ 2) caps it at 1.

    "Not interested" from either side wins over an interest that went nowhere, but
    not over a meeting that led somewhere: what people did outweighs a click.
    """
    best = max((GRADES[s] for s in signals), default=0)
    if "not_interested" in signals and best <= GRADES["interest"]:
        best = 0
    if ratings and min(ratings) <= 2:
        best = min(best, 1)
    return best


@dataclass(frozen=True)
class Pair:
    """One matched pair with its stored components and its graded outcome."""

    need_id: int
    solution_id: int
    components: Mapping[str, float]
    relevance: int


@dataclass(frozen=True)
class WeightFit:
    """The result for one domain: the fitted weights, and how they compare on held-out needs.

    `adopted` says whether they beat the current weights by the margin; only then are
    they to be used.
    """

    need_weights: dict[str, float]
    solution_weights: dict[str, float]
    ndcg_current: float
    ndcg_fitted: float
    ndcg_train_current: float
    ndcg_train_fitted: float
    train_queries: int
    test_queries: int
    adopted: bool
    reason: str
    multipliers: dict[str, float] = field(default_factory=dict)
    standard_error: float = 0.0

    def evaluation(self) -> dict[str, float | int | str | dict[str, float]]:
        return {
            "ndcg_at_10_current": round(self.ndcg_current, 4),
            "ndcg_at_10_fitted": round(self.ndcg_fitted, 4),
            "train_ndcg_at_10_current": round(self.ndcg_train_current, 4),
            "train_ndcg_at_10_fitted": round(self.ndcg_train_fitted, 4),
            "train_queries": self.train_queries,
            "test_queries": self.test_queries,
            "reason": self.reason,
            "multipliers": self.multipliers,
            "gain_standard_error": round(self.standard_error, 4),
        }


@dataclass
class _Queries:
    """Pairs grouped by need: component matrices and relevance per query."""

    need: list[np.ndarray]  # (n_i, 6) need-side components, text saturated
    solution: list[np.ndarray]
    relevance: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.relevance)


def _normalized(weights: Mapping[str, float]) -> np.ndarray:
    vector = np.array([float(weights[c]) for c in COMPONENTS])
    total = vector.sum()
    return vector / total if total > 0 else np.full(len(COMPONENTS), 1 / len(COMPONENTS))


def _component_rows(pairs: Sequence[Pair], names: tuple[str, ...], saturation: float) -> np.ndarray:
    rows = np.array([[float(p.components.get(n, 0.5)) for n in names] for p in pairs])
    rows[:, 0] = np.minimum(rows[:, 0] / saturation, 1.0)  # the text component saturates
    return rows


def _queries(pairs: Sequence[Pair], saturation: float) -> _Queries:
    by_need: dict[int, list[Pair]] = {}
    for pair in pairs:
        by_need.setdefault(pair.need_id, []).append(pair)
    queries = _Queries([], [], [])
    for need_id in sorted(by_need):
        group = sorted(by_need[need_id], key=lambda p: p.solution_id)
        relevance = np.array([p.relevance for p in group], dtype=float)
        if relevance.max() <= 0:
            continue  # nDCG is undefined without a relevant solution
        queries.need.append(_component_rows(group, _NEED_SIDE, saturation))
        queries.solution.append(_component_rows(group, _SOLUTION_SIDE, saturation))
        queries.relevance.append(relevance)
    return queries


def scores(need_side: np.ndarray, solution_side: np.ndarray, wn: np.ndarray, ws: np.ndarray):
    """The engine's score of pairs: harmonic mean of the two directional blends."""
    a, b = need_side @ wn, solution_side @ ws
    return np.divide(2 * a * b, a + b, out=np.zeros_like(a), where=(a + b) > 0)


def ndcg_at_k(score: np.ndarray, relevance: np.ndarray, k: int = K) -> float:
    """nDCG@k with gains 2^rel - 1; ties broken by position (the id order)."""
    order = np.lexsort((np.arange(len(score)), -score))[:k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    gains = 2.0**relevance - 1.0
    dcg = float((gains[order] * discounts[: len(order)]).sum())
    ideal = np.sort(gains)[::-1][:k]
    idcg = float((ideal * discounts[: len(ideal)]).sum())
    return dcg / idcg if idcg > 0 else 0.0


def query_ndcg(queries: _Queries, wn: np.ndarray, ws: np.ndarray) -> np.ndarray:
    """nDCG@10 of every query under the weights."""
    return np.array(
        [
            ndcg_at_k(scores(n, s, wn, ws), r)
            for n, s, r in zip(queries.need, queries.solution, queries.relevance, strict=True)
        ]
    )


def mean_ndcg(queries: _Queries, wn: np.ndarray, ws: np.ndarray) -> float:
    return float(query_ndcg(queries, wn, ws).mean()) if len(queries) else 0.0


def _held_out(need_id: int, share: float, salt: str) -> bool:
    # A stable split by need: the same history gives the same split on every run.
    digest = hashlib.sha256(f"{salt}:{need_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def fit_domain(
    pairs: Sequence[Pair],
    need_weights: Mapping[str, float],
    solution_weights: Mapping[str, float],
    *,
    text_saturation: float = 0.5,
    test_share: float = 0.3,
    margin: float = 0.02,
    z: float = 2.0,
    min_queries: int = 10,
    rounds: int = 3,
    salt: str = "weights",
) -> WeightFit:
    """Fit the weights of one domain on part of its needs; judge them on the rest."""
    train = _queries(
        [p for p in pairs if not _held_out(p.need_id, test_share, salt)], text_saturation
    )
    test = _queries([p for p in pairs if _held_out(p.need_id, test_share, salt)], text_saturation)
    base_n, base_s = _normalized(need_weights), _normalized(solution_weights)
    current = dict(need_weights), dict(solution_weights)
    if len(train) < min_queries or len(test) < max(3, min_queries // 3):
        score = mean_ndcg(test, base_n, base_s)
        return WeightFit(
            *current,
            ndcg_current=score,
            ndcg_fitted=score,
            ndcg_train_current=0.0,
            ndcg_train_fitted=0.0,
            train_queries=len(train),
            test_queries=len(test),
            adopted=False,
            reason="too_few_outcomes",
        )
    multipliers = np.ones(len(COMPONENTS))

    def objective(m: np.ndarray) -> float:
        wn, ws = base_n * m, base_s * m
        if wn.sum() <= 0 or ws.sum() <= 0:
            return -math.inf
        return mean_ndcg(train, wn / wn.sum(), ws / ws.sum())

    best = objective(multipliers)
    train_current = best
    for _round in range(rounds):
        improved = False
        for i in range(len(COMPONENTS)):
            for value in MULTIPLIERS:
                if value == multipliers[i]:
                    continue
                candidate = multipliers.copy()
                candidate[i] = value
                result = objective(candidate)
                if result > best + 1e-12:
                    best, multipliers, improved = result, candidate, True
        if not improved:
            break
    wn, ws = base_n * multipliers, base_s * multipliers
    wn, ws = wn / wn.sum(), ws / ws.sum()
    before, after = query_ndcg(test, base_n, base_s), query_ndcg(test, wn, ws)
    ndcg_current, ndcg_fitted = float(before.mean()), float(after.mean())
    # Paired over the same held-out needs: the gain must pass the margin and stand
    # `z` standard errors clear of zero, so that a lucky split of noise is no reason.
    gains = after - before
    standard_error = float(gains.std(ddof=1) / math.sqrt(len(gains)))
    adopted = ndcg_fitted >= ndcg_current + margin and float(gains.mean()) > z * standard_error
    fitted = (
        {c: round(float(w), 6) for c, w in zip(COMPONENTS, wn, strict=True)},
        {c: round(float(w), 6) for c, w in zip(COMPONENTS, ws, strict=True)},
    )
    return WeightFit(
        *fitted,
        ndcg_current=ndcg_current,
        ndcg_fitted=ndcg_fitted,
        ndcg_train_current=train_current,
        ndcg_train_fitted=best,
        train_queries=len(train),
        test_queries=len(test),
        adopted=adopted,
        reason="better_on_held_out" if adopted else "not_better_on_held_out",
        multipliers={c: float(m) for c, m in zip(COMPONENTS, multipliers, strict=True)},
        standard_error=standard_error,
    )
