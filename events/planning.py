"""Season planner: turns approved needs and their matches into ~50 dated docking events.

Pure code (no Django): the Celery task ``events.tasks.plan_events`` reads the database
into the dataclasses below, calls :func:`plan_season` and writes the result back, and the
benchmark calls it on generated data. The steps, each a function below:

1. **Domains** — needs are grouped by industry. Events are shared out across domains so
   that event sizes stay balanced (largest ÷ smallest ≤ 1.5); a domain too small to fill a
   balanced event is merged with a related industry, or into a cross-industry session.
   When there are too few needs for the target, fewer events are planned (and a note says so).
2. **Themes** — a domain with several events is split by balanced spherical k-means on
   what the matching engine produced: the need's TF-IDF row, its matched providers and
   its capabilities. Cluster sizes are fixed (floor/ceil of the domain's share) by solving
   each assignment step as a min-cost flow. Then, alternately, providers are chosen per
   event and needs are re-seated in the sibling event that serves them best, while that
   raises coverage. Each event is named after its most distinctive capability.
3. **Providers** — per event, greedy marginal-gain set multicover: repeatedly invite the
   provider that brings the most needs closer to "3 of my top-10 invited", favouring
   needs nearest completion, then improve by swaps; seats left over deepen needs' choice
   (up to ``provider_depth``). Both sides of accepted introductions are always invited,
   and their seats count against the cap.
4. **Dates** — events are spread evenly over the window and placed on working days by a
   min-cost max-flow that honours blackout dates, the weekly cap, a daily cap, venue
   capacity and one event per venue per day.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import scipy.sparse as sp
from ortools.graph.python import min_cost_flow

from events.calendar_cn import WorkCalendar

COVERAGE_TARGET = 0.95
BALANCE_TARGET = 1.5
COHESION_TARGET = 0.9
TOP_K = 10  # a need counts as covered when COVER_MIN of its TOP_K best providers are invited
COVER_MIN = 3
MIXED = "mixed"
MIXED_NAMES = ("跨行业", "Cross-industry")
GENERAL_THEME = ("综合", "General")
# Unplaced reasons (stable codes for the Django side to translate and filter on).
SEASON_FULL = "season_full"
NO_DATE = "no_date"

_COST_SCALE = 10_000  # min-cost flow needs integer costs
# Greedy weight of a need with 0, 1, 2 providers invited: completing a need is worth most.
_PROGRESS_WEIGHT = np.array([1.0, 2.0, 4.0])


@dataclass(frozen=True)
class ProviderMatch:
    """One matched provider organization of a need, with the engine's score in [0, 1]."""

    provider_id: Hashable
    score: float


@dataclass(frozen=True)
class PlanNeed:
    """An approved, open need. ``matches`` are ranked best first, one entry per provider org."""

    id: Hashable
    organization_id: Hashable
    industry: str
    capabilities: tuple[str, ...] = ()
    matches: tuple[ProviderMatch, ...] = ()
    vector_row: int | None = None  # row of PlanningInput.need_vectors, when available


@dataclass(frozen=True)
class Introduction:
    """An accepted introduction (double opt-in); ``need_id`` when it was about one need."""

    enterprise_id: Hashable
    provider_id: Hashable
    need_id: Hashable | None = None


@dataclass(frozen=True)
class Venue:
    """A room: ``capacity`` is tables per side, i.e. organizations of each side it seats."""

    id: Hashable
    name: str
    capacity: int
    unavailable: frozenset[date] = frozenset()


@dataclass
class PlanningInput:
    """Everything the planner needs; all of it plain data so a worker can run it anywhere."""

    needs: Sequence[PlanNeed]
    start: date
    end: date
    venues: Sequence[Venue]
    calendar: WorkCalendar
    introductions: Sequence[Introduction] = ()
    target_events: int = 50
    weekly_cap: int = 2  # events per ISO week
    daily_cap: int = 1  # events per day across venues: the office staffs one event a day
    blackout_dates: Collection[date] = frozenset()
    max_providers_per_event: int = 40  # introduced providers count against it
    provider_depth: int = 5  # spare provider seats serve needs up to this many top providers
    min_needs_per_event: int = 6  # fewer needs than target × this plan fewer events
    need_vectors: sp.csr_matrix | None = None  # the engine's TF-IDF rows (PlanNeed.vector_row)
    feature_names: Sequence[str] | None = None  # column names of need_vectors, for theme terms
    industry_names: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # code → (zh, en)
    capability_names: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    related_industries: Mapping[str, Collection[str]] = field(default_factory=dict)
    seed: int = 0


@dataclass(frozen=True)
class PlannedEvent:
    """One dated event; ``key`` is stable across re-runs of the same input (upsert by it)."""

    key: str
    date: date
    venue_id: Hashable
    domain: str  # industry code, "a+b" for merged industries, or "mixed"
    industries: tuple[str, ...]
    theme_zh: str
    theme_en: str
    theme_capability: str | None
    title_zh: str
    title_en: str
    need_ids: tuple[Hashable, ...]
    enterprise_ids: tuple[Hashable, ...]
    provider_ids: tuple[Hashable, ...]
    introduced_provider_ids: tuple[Hashable, ...]  # invited because of an introduction


@dataclass(frozen=True)
class UnplacedNeed:
    """A need that is in no event, and why: admins see these next to the plan."""

    need_id: Hashable
    reason: str  # SEASON_FULL or NO_DATE
    detail: str


@dataclass(frozen=True)
class PlanQuality:
    """The product owner's acceptance figures for a plan (see the *_TARGET constants)."""

    coverage: float
    balance: float
    intro_cohesion: float
    needs_total: int
    needs_placed: int
    needs_covered: int
    needs_uncoverable: int  # fewer than COVER_MIN matched providers: no event can cover them
    events_target: int
    events_planned: int
    largest_event: int
    smallest_event: int
    introductions_total: int
    introductions_cohesive: int
    providers_invited: int
    invitations: int

    @property
    def meets_targets(self) -> bool:
        return (
            self.coverage >= COVERAGE_TARGET
            and self.balance <= BALANCE_TARGET
            and self.intro_cohesion >= COHESION_TARGET
        )


@dataclass
class SeasonPlan:
    """The planner's answer: events by date, needs left out, quality, and notes for admins."""

    events: list[PlannedEvent]
    unplaced: list[UnplacedNeed]
    quality: PlanQuality
    notes: list[str]


@dataclass
class _Unit:
    """A set of industries that get events together, and the needs (indices) they hold."""

    industries: list[str]
    needs: list[int]
    events: int = 1


@dataclass
class _Group:
    unit: _Unit
    needs: list[int]
    providers: list[Hashable] = field(default_factory=list)
    forced: list[Hashable] = field(default_factory=list)
    theme: tuple[str, str, str | None] = ("", "", None)
    ideal: date | None = None


def plan_season(inp: PlanningInput) -> SeasonPlan:
    """Plan the season's events; deterministic for a given input and ``inp.seed``."""
    rng = np.random.default_rng(inp.seed)
    needs = list(inp.needs)
    notes: list[str] = []
    unplaced: list[UnplacedNeed] = []
    size_cap = max((v.capacity for v in inp.venues), default=0)
    provider_cap = min(inp.max_providers_per_event, size_cap)

    n_events = min(inp.target_events, len(needs) // max(inp.min_needs_per_event, 1))
    n_events = max(n_events, 1 if needs else 0)
    if n_events < inp.target_events:
        notes.append(
            f"Planned {n_events} events instead of the target {inp.target_events}: "
            f"{len(needs)} needs fill at most {n_events} events of at least "
            f"{inp.min_needs_per_event} needs."
        )
    units = _allocate_units(needs, n_events, inp.related_industries, notes) if needs else []

    features = _Features(inp, needs)
    need_intros: dict[Hashable, list[Hashable]] = defaultdict(list)
    for intro in inp.introductions:
        if intro.need_id is not None:
            need_intros[intro.need_id].append(intro.provider_id)
    groups: list[_Group] = []
    for unit in units:
        x = features.matrix(unit.needs)
        labels = _balanced_clusters(x, unit.events, size_cap, rng)
        labels = _refine(unit, labels, x, needs, need_intros, provider_cap, size_cap)
        for label in range(unit.events):
            members = [i for i, lab in zip(unit.needs, labels, strict=True) if lab == label]
            if members:
                groups.append(_Group(unit, members))
        unplaced.extend(
            UnplacedNeed(
                needs[i].id,
                SEASON_FULL,
                f"{unit.events} event(s) of at most {size_cap} seats hold fewer needs than the domain has",
            )
            for i, lab in zip(unit.needs, labels, strict=True)
            if lab < 0
        )
    if any(u.reason == SEASON_FULL for u in unplaced):
        notes.append(
            f"{len(unplaced)} needs left out: {n_events} events × {size_cap} seats are too few; "
            "raise the target or add a larger venue."
        )

    _force_introductions(groups, needs, inp.introductions)
    for group in groups:
        group.providers = _choose_providers(
            [needs[i] for i in group.needs], group.forced, provider_cap, inp.provider_depth
        )
    _name_themes(groups, needs, features, inp)
    events = _place(groups, needs, inp, notes, unplaced)
    quality = _measure(events, needs, inp.introductions, inp.target_events, unplaced)
    return SeasonPlan(events, unplaced, quality, notes)


def collapse_matches(
    rows: Sequence[tuple[Hashable, float]], limit: int | None = None
) -> tuple[ProviderMatch, ...]:
    """Turn solution-level matches ``(provider org, score)`` into ranked distinct providers.

    The engine ranks solutions, but a provider with three good solutions is still one
    organization at one table; its best score stands for it.
    """
    best: dict[Hashable, float] = {}
    for provider_id, score in rows:
        if score > best.get(provider_id, -math.inf):
            best[provider_id] = score
    ranked = sorted(best.items(), key=lambda item: -item[1])  # stable: ties keep input order
    return tuple(ProviderMatch(p, s) for p, s in ranked[:limit])


def related_from_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Turn the engine's symmetric related-industry pairs into ``related_industries``."""
    related: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        related[a].add(b)
        related[b].add(a)
    return {code: frozenset(partners) for code, partners in related.items()}


def format_quality(quality: PlanQuality) -> str:
    """Render the plan's quality for the ``plan_events`` command and the admin message."""

    def mark(ok: bool) -> str:
        return "ok" if ok else "BELOW TARGET"

    q = quality
    lines = [
        (
            f"coverage        {q.coverage:.3f}  ({q.needs_covered} of {q.needs_total} needs have "
            f"≥{COVER_MIN} of their top-{TOP_K} providers invited; target ≥ {COVERAGE_TARGET}) "
            f"{mark(q.coverage >= COVERAGE_TARGET)}"
        ),
        (
            f"balance         {q.balance:.2f}  (largest {q.largest_event} ÷ smallest "
            f"{q.smallest_event} needs per event; target ≤ {BALANCE_TARGET}) "
            f"{mark(q.balance <= BALANCE_TARGET)}"
        ),
        (
            f"intro cohesion  {q.intro_cohesion:.3f}  ({q.introductions_cohesive} of "
            f"{q.introductions_total} accepted introductions share an event; target ≥ "
            f"{COHESION_TARGET}) {mark(q.intro_cohesion >= COHESION_TARGET)}"
        ),
        (
            f"events {q.events_planned} (target {q.events_target}); needs placed "
            f"{q.needs_placed} of {q.needs_total} ({q.needs_uncoverable} with fewer than "
            f"{COVER_MIN} matched providers); providers invited {q.providers_invited} "
            f"({q.invitations} invitations)"
        ),
    ]
    return "\n".join(lines)


# --- 1. domains ---------------------------------------------------------------------------


def _allocate_units(
    needs: list[PlanNeed],
    n_events: int,
    related: Mapping[str, Collection[str]],
    notes: list[str],
) -> list[_Unit]:
    """Group industries into units and give each a number of events, merging small ones."""
    by_industry: dict[str, list[int]] = defaultdict(list)
    for i, need in enumerate(needs):
        by_industry[need.industry].append(i)
    units = [_Unit([code], members) for code, members in by_industry.items()]
    while True:
        counts = [len(u.needs) for u in units]
        allocation = _allocate(counts, n_events)
        if len(units) == 1 or (allocation and allocation[1] <= BALANCE_TARGET):
            break
        a, b = sorted(_best_merge(units, n_events, related), key=lambda u: len(units[u].needs))
        merged = _Unit(units[a].industries + units[b].industries, units[a].needs + units[b].needs)
        if not _are_related(units[a], units[b], related):
            merged.industries = [MIXED, *(c for c in merged.industries if c != MIXED)]
        notes.append(
            f"Merged {'+'.join(units[a].industries)} ({len(units[a].needs)} needs) with "
            f"{'+'.join(units[b].industries)} ({len(units[b].needs)}): too few for balanced events alone."
        )
        units = [u for k, u in enumerate(units) if k not in (a, b)] + [merged]
    if allocation is None:  # a single unit with fewer events than one
        allocation = ([n_events], 1.0)
    for unit, k in zip(units, allocation[0], strict=True):
        unit.events = k
        unit.industries.sort(key=lambda c: -sum(needs[i].industry == c for i in unit.needs))
        if MIXED in unit.industries:
            unit.industries = [MIXED, *(c for c in unit.industries if c != MIXED)]
    return units


def _allocate(counts: list[int], n_events: int) -> tuple[list[int], float] | None:
    """Events per unit (each ≥ 1, summing to ``n_events``) minimising largest ÷ smallest size.

    For each candidate smallest size L, a unit may get at most ``count // L`` events; within
    those caps the events go, D'Hondt style, to whichever unit has the largest events.
    """
    if not counts or len(counts) > n_events:
        return None
    mean = sum(counts) / n_events
    candidates = {
        c // k
        for c in counts
        for k in range(1, min(c, n_events) + 1)
        if mean / 2 <= c // k <= mean + 1 or k == 1
    }
    best: tuple[list[int], float] | None = None
    for low in sorted(candidates, reverse=True):
        caps = [c // low for c in counts]
        if min(caps) < 1 or sum(caps) < n_events:
            continue
        ks = [1] * len(counts)
        heap = [(-math.ceil(c), u) for u, c in enumerate(counts) if caps[u] > 1]
        heapq.heapify(heap)
        for _ in range(n_events - len(counts)):
            _, u = heapq.heappop(heap)
            ks[u] += 1
            if ks[u] < caps[u]:
                heapq.heappush(heap, (-math.ceil(counts[u] / ks[u]), u))
        ratio = max(-(-c // k) for c, k in zip(counts, ks, strict=True)) / min(
            c // k for c, k in zip(counts, ks, strict=True)
        )
        if best is None or ratio < best[1]:
            best = (ks, ratio)
    return best


def _best_merge(
    units: list[_Unit], n_events: int, related: Mapping[str, Collection[str]]
) -> tuple[int, int]:
    """Pick one of the smallest units and a partner to merge it with.

    Preference: a related industry that makes the plan balanced; a related one that at
    least improves balance; an unrelated one (a combined session) that balances it; then
    any improvement. Related industries share providers, so their events stay coherent.
    """
    counts = [len(u.needs) for u in units]
    current = _allocate(counts, n_events)
    now = current[1] if current else math.inf
    best_key, best_pair = None, (0, 1)
    for a in sorted(range(len(units)), key=lambda u: counts[u])[:3]:
        for b in range(len(units)):
            if a == b:
                continue
            merged = [c for k, c in enumerate(counts) if k not in (a, b)] + [counts[a] + counts[b]]
            allocation = _allocate(merged, n_events)
            ratio = allocation[1] if allocation else math.inf
            unrelated = not _are_related(units[a], units[b], related)
            rank = 2 * unrelated + (ratio > BALANCE_TARGET) + 4 * (ratio >= now)
            key = (rank, ratio, counts[a] + counts[b], a, b)
            if best_key is None or key < best_key:
                best_key, best_pair = key, (a, b)
    return best_pair


def _are_related(a: _Unit, b: _Unit, related: Mapping[str, Collection[str]]) -> bool:
    if MIXED in a.industries or MIXED in b.industries:
        return True
    return any(
        y in related.get(x, ()) or x in related.get(y, ())
        for x in a.industries
        for y in b.industries
    )


# --- 2. themes ----------------------------------------------------------------------------


class _Features:
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


def _balanced_clusters(
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


def _refine(
    unit: _Unit,
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
            for p in _choose_providers([needs[i] for i in members], forced, provider_cap):
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


def _name_themes(
    groups: list[_Group], needs: list[PlanNeed], features: _Features, inp: PlanningInput
) -> None:
    """Name each event after its most distinctive capability; disambiguate by top terms."""
    by_unit: dict[int, list[_Group]] = defaultdict(list)
    for group in groups:
        by_unit[id(group.unit)].append(group)
    for unit_groups in by_unit.values():
        unit_needs = [i for g in unit_groups for i in g.needs]
        unit_share = _capability_share(unit_needs, needs)
        for group in unit_groups:
            share = _capability_share(group.needs, needs)
            ranked = sorted(share, key=lambda c: -share[c] * share[c] / unit_share[c])
            if ranked and share[ranked[0]] >= 0.34:
                code = ranked[0]
                zh, en = inp.capability_names.get(code, (code, code))
                group.theme = (zh, en, code)
            else:
                group.theme = (*GENERAL_THEME, None)
        seen: dict[tuple[str, str], list[_Group]] = defaultdict(list)
        for group in unit_groups:
            seen[group.theme[:2]].append(group)
        for (zh, en), same in seen.items():
            if len(same) == 1:
                same[0].theme = (f"{zh}专场", f"{en} session", same[0].theme[2])
                continue
            terms = _distinct_terms(same, unit_needs, features, inp.feature_names)
            used: set[str] = set()
            for n, group in enumerate(same, start=1):
                term = next((t for t in terms[n - 1] if t not in used and t not in zh), None)
                used.add(term or "")
                group.theme = (
                    f"{zh}·{term}专场" if term else f"{zh}专场（{_roman(n)}）",
                    f"{en} · {term} session"
                    if term and term.isascii()
                    else f"{en} session {_roman(n)}",
                    group.theme[2],
                )


def _capability_share(members: list[int], needs: list[PlanNeed]) -> dict[str, float]:
    counts = Counter(c for i in members for c in dict.fromkeys(needs[i].capabilities))
    return {
        c: counts[c] / max(len(members), 1) for c in sorted(counts, key=lambda c: (-counts[c], c))
    }


def _distinct_terms(
    same: list[_Group], unit_needs: list[int], features: _Features, names: Sequence[str] | None
) -> list[list[str]]:
    if features.text is None or not names:
        return [[] for _ in same]
    unit_mean = np.asarray(features.text[unit_needs].mean(axis=0)).ravel()
    out = []
    for group in same:
        lift = np.asarray(features.text[group.needs].mean(axis=0)).ravel() - unit_mean
        ranked = np.argsort(-lift, kind="stable")
        # Character n-grams shorter than two characters name nothing.
        out.append([names[j] for j in ranked[:8] if lift[j] > 0 and len(names[j].strip()) >= 2])
    return out


def _roman(n: int) -> str:
    return (
        ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][n - 1] if n <= 10 else str(n)
    )


# --- 3. providers -------------------------------------------------------------------------


def _force_introductions(
    groups: list[_Group], needs: list[PlanNeed], intros: Sequence[Introduction]
) -> None:
    """Invite the provider of every accepted introduction to the event holding its need.

    Without a need, to the enterprise's event where that provider ranks best.
    """
    group_of: dict[Hashable, _Group] = {}
    by_enterprise: dict[Hashable, list[tuple[_Group, int]]] = defaultdict(list)
    for group in groups:
        for i in group.needs:
            group_of[needs[i].id] = group
            by_enterprise[needs[i].organization_id].append((group, i))
    for intro in intros:
        group = group_of.get(intro.need_id) if intro.need_id is not None else None
        if group is None:
            options = by_enterprise.get(intro.enterprise_id)
            if not options:
                continue
            group = min(options, key=lambda gi: _rank(needs[gi[1]], intro.provider_id))[0]
        if intro.provider_id not in group.forced:
            group.forced.append(intro.provider_id)


def _rank(need: PlanNeed, provider_id: Hashable) -> int:
    return next(
        (r for r, m in enumerate(need.matches) if m.provider_id == provider_id), len(need.matches)
    )


def _choose_providers(
    event_needs: list[PlanNeed], forced: list[Hashable], cap: int, depth: int = COVER_MIN
) -> list[Hashable]:
    """Greedy marginal-gain set multicover, then swaps: maximise needs with ≥3 top-10 invited.

    Each step invites the provider whose invitation does most for the needs not yet
    covered, weighting a need by how close it is to covered (1, 2, 4 for 0, 1, 2 invited) so
    that the cap is spent on completing needs rather than on spreading thin. Ties go to the
    provider with the higher total match score. Seats left after that go, by the same
    greedy, to needs with fewer than ``depth`` of their top providers invited: a need
    whose third provider cancels still has meetings.
    """
    index: dict[Hashable, int] = {}
    rows, cols, scores = [], [], []
    for r, need in enumerate(event_needs):
        for m in need.matches[:TOP_K]:
            rows.append(r)
            cols.append(index.setdefault(m.provider_id, len(index)))
            scores.append(m.score)
    chosen = list(dict.fromkeys(forced))
    if not index:
        return chosen
    ids = list(index)
    by_provider = sp.csr_matrix(
        (np.ones(len(rows)), (cols, rows)), shape=(len(ids), len(event_needs))
    )
    score_sum = np.asarray(
        sp.csr_matrix((scores, (cols, rows)), shape=by_provider.shape).sum(axis=1)
    ).ravel()
    tie = score_sum / (score_sum.max() + 1.0) * 0.5
    coverable = np.asarray((by_provider > 0).sum(axis=0)).ravel() >= COVER_MIN
    count = np.zeros(len(event_needs))
    invited = np.zeros(len(ids), dtype=bool)
    for p in chosen:
        if p in index:
            invited[index[p]] = True
    count += np.asarray(by_provider[invited].sum(axis=0)).ravel()
    weight = _PROGRESS_WEIGHT
    for _ in range(cap - len(chosen)):
        w = np.where(coverable & (count < COVER_MIN), weight[np.minimum(count, 2).astype(int)], 0.0)
        gain = by_provider @ w
        gain[invited] = -1
        best = int(np.argmax(gain + tie * (gain > 0)))
        if gain[best] <= 0:
            break
        invited[best] = True
        count[by_provider[best].indices] += 1
    fixed = {index[p] for p in chosen if p in index}
    _improve_by_swaps(by_provider, invited, count, coverable, fixed)
    for _ in range(cap - len(chosen) - int(invited.sum()) + len(fixed)):
        gain = by_provider @ (count < depth).astype(float)
        gain[invited] = -1
        best = int(np.argmax(gain + tie * (gain > 0)))
        if gain[best] <= 0:
            break
        invited[best] = True
        count[by_provider[best].indices] += 1
    return chosen + [ids[j] for j in np.flatnonzero(invited) if ids[j] not in chosen]


def _improve_by_swaps(
    by_provider: sp.csr_matrix,
    invited: np.ndarray,
    count: np.ndarray,
    coverable: np.ndarray,
    fixed: set[int],
) -> None:
    """Swap an invited provider for an uninvited one while that covers more needs."""
    for _ in range(200):
        almost = (coverable & (count == COVER_MIN - 1)).astype(float)
        gain = by_provider @ almost
        gain[invited] = -1
        exact = (count == COVER_MIN).astype(float)
        loss = by_provider @ exact
        loss[~invited] = np.inf
        loss[list(fixed)] = np.inf
        add, drop = int(np.argmax(gain)), int(np.argmin(loss))
        if not np.isfinite(loss[drop]) or gain[add] - loss[drop] <= 0:
            return
        trial = count.copy()
        trial[by_provider[drop].indices] -= 1
        trial[by_provider[add].indices] += 1
        before = int(np.sum(coverable & (count >= COVER_MIN)))
        if int(np.sum(coverable & (trial >= COVER_MIN))) <= before:
            return
        invited[drop], invited[add] = False, True
        count[:] = trial


# --- 4. dates -----------------------------------------------------------------------------


def _place(
    groups: list[_Group],
    needs: list[PlanNeed],
    inp: PlanningInput,
    notes: list[str],
    unplaced: list[UnplacedNeed],
) -> list[PlannedEvent]:
    """Date the events: spread evenly, on open working days, as one min-cost max-flow."""
    blackout = set(inp.blackout_dates)
    days = [d for d in inp.calendar.working_days(inp.start, inp.end) if d not in blackout]
    order = _spread_order(groups)
    span = (inp.end - inp.start).days + 1
    for position, g in enumerate(order):
        g.ideal = inp.start + timedelta(days=int((position + 0.5) * span / max(len(order), 1)))
    seats = [max(len({needs[i].organization_id for i in g.needs}), len(g.providers)) for g in order]
    slots = [(d, v) for d in days for v in inp.venues if d not in v.unavailable]
    day_index = {d: j for j, d in enumerate(days)}
    weeks = sorted({d.isocalendar()[:2] for d in days})
    week_index = {w: j for j, w in enumerate(weeks)}
    n_e, n_s, n_d = len(order), len(slots), len(days)
    event_node, slot_node = 2, 2 + n_e
    day_node = slot_node + n_s
    week_node = day_node + n_d
    source, sink = 0, 1
    # Arcs event→slot carry the cost: 10 per day away from the ideal date, plus up to 9
    # for seating a small event in a big room (keep big rooms for big events).
    fits = [
        (e, s, 10 * abs((d - g.ideal).days) + (v.capacity - seats[e]) * 10 // (v.capacity + 1))
        for e, g in enumerate(order)
        for s, (d, v) in enumerate(slots)
        if v.capacity >= seats[e]
    ]
    fit = np.array(fits, dtype=np.int64).reshape(-1, 3)
    tails = np.concatenate(
        [
            np.zeros(n_e),
            event_node + fit[:, 0],
            slot_node + np.arange(n_s),
            day_node + np.arange(n_d),
            week_node + np.arange(len(weeks)),
        ]
    ).astype(np.int64)
    heads = np.concatenate(
        [
            event_node + np.arange(n_e),
            slot_node + fit[:, 1],
            [day_node + day_index[d] for d, _ in slots],
            [week_node + week_index[d.isocalendar()[:2]] for d in days],
            np.full(len(weeks), sink),
        ]
    ).astype(np.int64)
    caps = np.concatenate(
        [
            np.ones(n_e + len(fit) + n_s),
            np.full(n_d, inp.daily_cap),
            np.full(len(weeks), inp.weekly_cap),
        ]
    ).astype(np.int64)
    costs = np.concatenate([np.zeros(n_e), fit[:, 2], np.zeros(n_s + n_d + len(weeks))]).astype(
        np.int64
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_node_supply(source, n_e)
    flow.set_node_supply(sink, -n_e)
    flow.solve_max_flow_with_min_cost()
    used = flow.flows(arcs[n_e : n_e + len(fit)]) > 0
    placed = {int(e): slots[int(s)] for e, s, _ in fit[used]}
    numbering: Counter[str] = Counter()
    events = [
        _event(order[e], *placed[e], numbering, needs, inp)
        for e in sorted(placed, key=lambda e: (placed[e][0], e))
    ]
    missing = [order[e] for e in range(n_e) if e not in placed]
    for g in missing:
        unplaced.extend(
            UnplacedNeed(
                needs[i].id, NO_DATE, "no working day with a free venue left in the window"
            )
            for i in g.needs
        )
    if missing:
        notes.append(
            f"{len(missing)} events could not be dated: the window has too few open working days "
            f"under the weekly cap of {inp.weekly_cap} (or no venue seats them)."
        )
    return events


def _spread_order(groups: list[_Group]) -> list[_Group]:
    """Interleave domains so each domain's events are spread across the whole window."""
    units: dict[int, list[_Group]] = {}
    for g in groups:
        units.setdefault(id(g.unit), []).append(g)
    keyed = []
    for u, unit_groups in enumerate(units.values()):
        phase = (u * 0.618034) % 1.0  # golden-ratio offsets keep single-event domains apart
        keyed.extend(((j + phase) / len(unit_groups), u, j, g) for j, g in enumerate(unit_groups))
    return [g for *_, g in sorted(keyed, key=lambda item: item[:3])]


def _event(
    g: _Group,
    day: date,
    venue: Venue,
    numbering: Counter[str],
    needs: list[PlanNeed],
    inp: PlanningInput,
) -> PlannedEvent:
    industries = [c for c in g.unit.industries if c != MIXED]
    mixed = len(industries) > 3
    domain = MIXED if mixed else "+".join(industries)
    if mixed:
        domain_zh, domain_en = MIXED_NAMES
    else:
        names = [inp.industry_names.get(c, (c, c)) for c in industries]
        domain_zh, domain_en = "·".join(n[0] for n in names), " & ".join(n[1] for n in names)
    numbering[domain] += 1
    zh, en, capability = g.theme
    return PlannedEvent(
        key=f"{domain}-{numbering[domain]:02d}",
        date=day,
        venue_id=venue.id,
        domain=domain,
        industries=tuple(industries),
        theme_zh=zh,
        theme_en=en,
        theme_capability=capability,
        title_zh=f"大模型+{domain_zh} 供需对接会 · {zh}",
        title_en=f"AI+ {domain_en} Matchmaking · {en}",
        need_ids=tuple(needs[i].id for i in g.needs),
        enterprise_ids=tuple(dict.fromkeys(needs[i].organization_id for i in g.needs)),
        provider_ids=tuple(g.providers),
        introduced_provider_ids=tuple(g.forced),
    )


# --- quality ------------------------------------------------------------------------------


def _measure(
    events: list[PlannedEvent],
    needs: list[PlanNeed],
    intros: Sequence[Introduction],
    target: int,
    unplaced: list[UnplacedNeed],
) -> PlanQuality:
    """The product owner's three numbers, computed from the plan as the admins will see it."""
    need_by_id = {n.id: n for n in needs}
    covered = 0
    event_of_need: dict[Hashable, PlannedEvent] = {}
    for event in events:
        invited = set(event.provider_ids)
        for need_id in event.need_ids:
            event_of_need[need_id] = event
            top = need_by_id[need_id].matches[:TOP_K]
            covered += sum(m.provider_id in invited for m in top) >= COVER_MIN
    cohesive = 0
    for intro in intros:
        if intro.need_id is not None and intro.need_id in need_by_id:
            event = event_of_need.get(intro.need_id)
            cohesive += event is not None and intro.provider_id in event.provider_ids
        else:
            cohesive += any(
                intro.enterprise_id in e.enterprise_ids and intro.provider_id in e.provider_ids
                for e in events
            )
    sizes = [len(e.need_ids) for e in events]
    return PlanQuality(
        coverage=covered / len(needs) if needs else 1.0,
        balance=max(sizes) / min(sizes) if sizes else 1.0,
        intro_cohesion=cohesive / len(intros) if intros else 1.0,
        needs_total=len(needs),
        needs_placed=len(needs) - len(unplaced),
        needs_covered=covered,
        needs_uncoverable=sum(len(n.matches[:TOP_K]) < COVER_MIN for n in needs),
        events_target=target,
        events_planned=len(events),
        largest_event=max(sizes, default=0),
        smallest_event=min(sizes, default=0),
        introductions_total=len(intros),
        introductions_cohesive=cohesive,
        providers_invited=len({p for e in events for p in e.provider_ids}),
        invitations=sum(len(e.provider_ids) for e in events),
    )
