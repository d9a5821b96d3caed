"""Step 2a, themes: split a domain into events of fixed sizes by balanced spherical k-means.

Features are what the matching engine produced (TF-IDF row, matched providers,
capabilities); each assignment step is a min-cost flow with fixed cluster sizes, and
the clusters are then refined alternately with provider choice while coverage rises.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Mapping

import numpy as np
import scipy.sparse as sp
from ortools.graph.python import min_cost_flow

from events.planning.domains import Unit
from events.planning.model import COVER_MIN, TOP_K, PlanNeed, PlanningInput
from events.planning.providers import choose_providers

_COST_SCALE = 10_000  # min-cost flow needs integer costs


class Features:
    """Row-normalised need features: TF-IDF text, matched providers, capabilities."""

    TEXT, PROVIDERS, CAPABILITIES = 0.6, 1.0, 0.6

    def __init__(self, inp: PlanningInput, needs: list[PlanNeed]) -> None:
        self.text: sp.csr_matrix | None = None
        if inp.need_vectors is not None:
            rows = [n.vector_row for n in needs]
            picked = inp.need_vectors[[r if r is not None else 0 for r in rows]].tocsr()
            missing = np.array([r is None for r in rows])
            if missing.any():
                picked = sp.diags((~missing).astype(float)) @ picked
            self.text = _normalise(picked.tocsr())
        intro_providers: dict[Hashable, list[Hashable]] = defaultdict(list)
        for intro in inp.introductions:
            if intro.need_id is not None:
                intro_providers[intro.need_id].append(intro.provider_id)
        self.provider_index: dict[Hashable, int] = {}
        self.capability_index: dict[str, int] = {}
        p_rows, p_cols, c_rows, c_cols = [], [], [], []
        for i, need in enumerate(needs):
            for p in dict.fromkeys(
                [m.provider_id for m in need.matches[:TOP_K]] + intro_providers[need.id]
            ):
                p_rows.append(i)
                p_cols.append(self.provider_index.setdefault(p, len(self.provider_index)))
            for c in need.capabilities:
                c_rows.append(i)
                c_cols.append(self.capability_index.setdefault(c, len(self.capability_index)))
        shape = (len(needs), max(len(self.provider_index), 1))
        self.providers = _normalise(
            sp.csr_matrix((np.ones(len(p_rows)), (p_rows, p_cols)), shape=shape)
        )
        shape = (len(needs), max(len(self.capability_index), 1))
        self.capabilities = _normalise(
            sp.csr_matrix((np.ones(len(c_rows)), (c_rows, c_cols)), shape=shape)
        )

    def matrix(self, rows: list[int]) -> sp.csr_matrix:
        blocks = [
            self.PROVIDERS * self.providers[rows],
            self.CAPABILITIES * self.capabilities[rows],
        ]
        if self.text is not None:
            blocks.append(self.TEXT * self.text[rows])
        return _normalise(sp.hstack(blocks, format="csr"))


def _normalise(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


def balanced_clusters(
    x: sp.csr_matrix,
    k: int,
    size_cap: int,
    rng: np.random.Generator,
    n_init: int = 3,
    rounds: int = 12,
) -> np.ndarray:
    """Spherical k-means whose clusters hold exactly floor/ceil(n/k) rows (or ``size_cap``).

    Returns a label per row; -1 for rows left out when k × size_cap < n.
    """
    n = x.shape[0]
    if k == 1 and n <= size_cap:
        return np.zeros(n, dtype=int)
    best_labels, best_score = None, -math.inf
    for _ in range(n_init):
        centres = _kmeanspp(x, k, rng)
        labels = np.full(n, -2)
        for _ in range(rounds):
            similarity = np.asarray(x @ centres.T)
            new = _balanced_assign(similarity, size_cap)
            if np.array_equal(new, labels):
                break
            labels = new
            centres = _centres(x, labels, k)
        score = float(np.sum(similarity[labels >= 0, labels[labels >= 0]]))
        if score > best_score:
            best_labels, best_score = labels, score
    return best_labels


def refine(
    unit: Unit,
    labels: np.ndarray,
    x: sp.csr_matrix,
    needs: list[PlanNeed],
    need_intros: Mapping[Hashable, list[Hashable]],
    provider_cap: int,
    size_cap: int,
    rounds: int = 4,
) -> np.ndarray:
    """Alternate choosing providers and re-seating needs, while coverage improves.

    Text clusters are a good start but blind to the provider cap. Once each event has its
    providers, a need that is short of three of its top providers may be fully served in
    a sibling event of the same domain; re-seating (again a fixed-size min-cost flow, so
    balance is untouched) and re-choosing providers converges in a few rounds.
    """
    k = unit.events
    index: dict[Hashable, int] = {}
    rows, cols = [], []
    for r, i in enumerate(unit.needs):
        for m in needs[i].matches[:TOP_K]:
            rows.append(r)
            cols.append(index.setdefault(m.provider_id, len(index)))
    if not index:
        return labels
    top = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(unit.needs), len(index)))
    best_covered, best_labels = -1, labels
    for step in range(rounds + 1):
        invited = np.zeros((len(index), k))
        for j in range(k):
            members = [unit.needs[r] for r in np.flatnonzero(labels == j)]
            forced = [p for i in members for p in need_intros.get(needs[i].id, ())]
            for p in choose_providers([needs[i] for i in members], forced, provider_cap):
                if p in index:
                    invited[index[p], j] = 1.0
        counts = np.asarray(top @ invited)
        seated = labels >= 0
        covered = int(np.sum(counts[seated, labels[seated]] >= COVER_MIN))
        if covered <= best_covered:
            break
        best_covered, best_labels = covered, labels
        if step == rounds or (k == 1 and seated.all()):
            break
        similarity = np.asarray(x @ _centres(x, labels, k).T)
        served = np.minimum(counts, COVER_MIN) / COVER_MIN
        score = 0.75 * (counts >= COVER_MIN) + 0.15 * served + 0.1 * similarity
        labels = _balanced_assign(score, size_cap)
    return best_labels


def _kmeanspp(x: sp.csr_matrix, k: int, rng: np.random.Generator) -> np.ndarray:
    n = x.shape[0]
    chosen = [int(rng.integers(n))]
    closest = np.asarray((x @ x[chosen[0]].T).todense()).ravel()
    for _ in range(1, k):
        weights = np.clip(1.0 - closest, 0, None) ** 2
        total = weights.sum()
        pick = int(rng.choice(n, p=weights / total)) if total > 0 else int(rng.integers(n))
        chosen.append(pick)
        closest = np.maximum(closest, np.asarray((x @ x[pick].T).todense()).ravel())
    return np.asarray(x[chosen].todense())


def _centres(x: sp.csr_matrix, labels: np.ndarray, k: int) -> np.ndarray:
    placed = labels >= 0
    member = sp.csr_matrix(
        (np.ones(placed.sum()), (labels[placed], np.flatnonzero(placed))), shape=(k, x.shape[0])
    )
    centres = np.asarray((member @ x).todense())
    norms = np.linalg.norm(centres, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return centres / norms


def _balanced_assign(similarity: np.ndarray, size_cap: int) -> np.ndarray:
    """Most-similar assignment with fixed cluster sizes, as a min-cost flow.

    Rows supply 1; each cluster absorbs floor(n/k) (capped); an "extra" node takes the
    n mod k leftover rows through at most one more per cluster; a "left out" node takes
    whatever exceeds k × size_cap, at a cost above any assignment.
    """
    n, k = similarity.shape
    base = min(n // k, size_cap)
    extra = min(n - base * k, k) if base < size_cap else 0
    left_out = n - base * k - extra
    rows, clusters, extra_node, out_node = np.arange(n), n + np.arange(k), n + k, n + k + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    costs = np.rint((1.0 - similarity) * _COST_SCALE).astype(np.int64)
    tails = [np.repeat(rows, k), clusters, rows]
    heads = [np.tile(clusters, n), np.full(k, extra_node), np.full(n, out_node)]
    arc_costs = [costs.ravel(), np.zeros(k, np.int64), np.full(n, 3 * _COST_SCALE)]
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate(tails),
        np.concatenate(heads),
        np.ones(n * k + k + n, np.int64),
        np.concatenate(arc_costs),
    )
    supplies = np.concatenate([np.ones(n), np.full(k, -base), [-extra, -left_out]]).astype(np.int64)
    flow.set_nodes_supplies(np.arange(n + k + 2), supplies)
    # Supplies balance and every row reaches every node, so this is always solvable.
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("balanced assignment failed")
    used = flow.flows(np.arange(n * k)).reshape(n, k) > 0
    return np.where(used.any(axis=1), used.argmax(axis=1), -1)
