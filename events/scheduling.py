"""The 1:1 meeting scheduler of a docking event (对接活动): pure Python, no Django.

An event has ``slots`` time slots and ``tables`` tables. Every accepted meeting request
pairs an enterprise with an AI provider; the scheduler gives as many as possible a
(slot, table) so that no organization is in two places at once, no table holds two
meetings, declared unavailability is honoured and per-organization limits hold.

Why it is built this way:

* Without unavailability the problem is bipartite edge colouring, and König's theorem
  says Δ colours (slots) suffice. A first-fit greedy can need 2Δ−1, so the colouring
  is done with alternating-path (Kempe chain) recolouring, then the colour classes are
  balanced (equitable edge colouring) so that no slot needs more than
  ceil(meetings / slots) tables. When not everything fits, a min-cost flow picks the
  best schedulable subset first (an org cannot meet more often than it has slots, the
  event cannot hold more than slots × tables), which König then colours exactly.
* With unavailability (or pinned meetings to keep in place) the problem is NP-hard in
  general. A heuristic builds a schedule first: pins back in place, then Kempe-chain
  insertion, then bounded ejection chains (evict what is in the way, re-insert it
  elsewhere). When its objective reaches the flow relaxation's, it is optimal; on the
  benchmark it nearly always does. Otherwise OR-Tools CP-SAT starts from it (a hint)
  and solves the remaining objective levels one by one within the time limit, proving
  a bound as it goes.

Preferences are lexicographic: most must-meet meetings first, then most meetings, then
most pinned (already published) meetings kept at their slot, then the highest sum of
priority ranks (distinct priorities numbered 1, 2, … from the lowest; so whenever one
meeting must give way to another, the higher priority stays). Every request that stays unscheduled carries a machine-readable reason
with parameters the UI can translate. ``verify`` re-checks any result independently.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow
from ortools.sat.python import cp_model
from scipy.optimize import linear_sum_assignment

OrgId = Hashable
RequestId = Hashable

REASON_SAME_ORGANIZATION = "same_organization"
REASON_CAPACITY = "capacity"
REASON_NO_COMMON_FREE_SLOT = "no_common_free_slot"
REASON_ORG_LIMIT = "org_limit"
REASON_ORG_SATURATED = "org_saturated"
REASON_DISPLACED = "displaced_by_priority"
REASON_TIME_LIMIT = "time_limit"
REASONS = frozenset(
    {
        REASON_SAME_ORGANIZATION,
        REASON_CAPACITY,
        REASON_NO_COMMON_FREE_SLOT,
        REASON_ORG_LIMIT,
        REASON_ORG_SATURATED,
        REASON_DISPLACED,
        REASON_TIME_LIMIT,
    }
)

METHOD_EMPTY = "empty"
METHOD_KONIG = "konig"
METHOD_KEMPE = "kempe"
METHOD_CP_SAT = "cp_sat"
METHOD_GREEDY = "greedy_first_fit"

# verify() message codes that are double bookings (what the benchmark counts).
DOUBLE_BOOKING_CODES = ("org_double_booked", "table_double_booked")

_KEMPE_BUDGET = 48  # chain flips tried per request before the heuristic gives up on it
_EJECTION_WIDTH = 6
_EJECTION_DEPTH = 4
_EJECTION_BUDGET = 400  # evictions tried per ejection chain, so its search stays bounded


@dataclass(frozen=True)
class MeetingRequest:
    """An accepted request for a 1:1 meeting between an enterprise and a provider."""

    id: RequestId
    enterprise: OrgId
    provider: OrgId
    priority: float = 0.0  # higher is scheduled first when not everything fits
    must_meet: bool = False  # set by the organizers; beats any number of other meetings


@dataclass(frozen=True)
class SchedulingProblem:
    """Everything the scheduler needs about one event; plain data, JSON-friendly."""

    slots: int
    tables: int
    requests: Sequence[MeetingRequest]
    unavailable: Mapping[OrgId, Collection[int]] = field(default_factory=dict)  # slot indices
    meeting_limit: int | None = None  # applies to every organization
    meeting_limits: Mapping[OrgId, int] = field(default_factory=dict)  # overrides per org
    pinned: Mapping[RequestId, tuple[int, int]] = field(default_factory=dict)  # published
    time_limit_seconds: float = 10.0
    workers: int = 0  # CP-SAT search workers; 0 lets the solver decide
    seed: int = 0


@dataclass(frozen=True)
class Assignment:
    request_id: RequestId
    slot: int
    table: int


@dataclass(frozen=True)
class Unscheduled:
    """A request left out, with a reason code and the parameters to explain it."""

    request_id: RequestId
    reason: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class SchedulingStats:
    runtime_seconds: float
    moved_pinned: int = 0  # pinned meetings now at another slot or table
    kept_pinned: int = 0
    unscheduled_pinned: int = 0  # pinned meetings that could not be scheduled at all
    withdrawn_pinned: int = 0  # pins whose request is no longer in the input
    blocked_pinned: int = 0  # pins whose slot a side can no longer attend: they must move
    flow_bound: int = 0  # the cheap independent (max-flow) bound
    solver_bound: int | None = None  # the bound CP-SAT proved, when it ran
    solver_status: str | None = None
    heuristic_scheduled: int = 0  # meetings in the start solution handed to CP-SAT


@dataclass(frozen=True)
class SchedulingResult:
    """A schedule and its account.

    ``upper_bound``: no schedule that holds at least as many must-meet meetings as this
    one holds more than ``upper_bound`` meetings (without must-meet requests: no
    schedule at all). ``optimal``: proven best under the lexicographic preferences.
    """

    assignments: tuple[Assignment, ...]
    unscheduled: tuple[Unscheduled, ...]
    upper_bound: int
    optimal: bool
    method: str
    stats: SchedulingStats

    @property
    def scheduled_count(self) -> int:
        return len(self.assignments)


# --------------------------------------------------------------------------- instance


@dataclass
class _Instance:
    """The problem indexed by integers, with everything derived once."""

    problem: SchedulingProblem
    reqs: list[MeetingRequest]
    ent: list[int]
    prov: list[int]
    orgs: list[OrgId]
    free: list[frozenset[int]]  # per org: slots it is available
    limit: list[int | None]  # per org
    cap: list[int]  # per org: how many meetings it can possibly have
    n_requests: list[int]  # per org
    allowed: list[tuple[int, ...]]  # per request: slots both sides are free
    allowed_set: list[frozenset[int]]
    rank: list[int]  # per request: 1 = lowest priority
    pin: list[tuple[int, int] | None]
    order: list[int]  # request indices, most important first
    position: list[int]  # per request: its place in `order`
    cand: list[int]  # schedulable on their own, in `order`
    bipartite: bool
    constrained: bool  # some candidate's allowed slots are not all slots
    withdrawn_pinned: int


def _prepare(problem: SchedulingProblem) -> _Instance:
    if problem.slots < 0 or problem.tables < 0:
        raise ValueError("slots and tables must not be negative")
    reqs = list(problem.requests)
    ids = [r.id for r in reqs]
    if len(set(ids)) != len(ids):
        raise ValueError("meeting request ids must be unique")
    org_index: dict[OrgId, int] = {}
    orgs: list[OrgId] = []

    def index(org: OrgId) -> int:
        if org not in org_index:
            org_index[org] = len(orgs)
            orgs.append(org)
        return org_index[org]

    ent = [index(r.enterprise) for r in reqs]
    prov = [index(r.provider) for r in reqs]
    all_slots = frozenset(range(problem.slots))
    free = [all_slots - frozenset(problem.unavailable.get(o, ())) for o in orgs]
    limit = [problem.meeting_limits.get(o, problem.meeting_limit) for o in orgs]
    cap = [
        len(free[o]) if limit[o] is None else max(0, min(limit[o], len(free[o])))
        for o in range(len(orgs))
    ]
    n_requests = [0] * len(orgs)
    for i in range(len(reqs)):
        n_requests[ent[i]] += 1
        n_requests[prov[i]] += 1
    allowed = [
        tuple(sorted(free[ent[i]] & free[prov[i]])) if ent[i] != prov[i] else ()
        for i in range(len(reqs))
    ]
    levels = sorted({r.priority for r in reqs})
    level_rank = {p: k + 1 for k, p in enumerate(levels)}
    ids_index = {r.id: i for i, r in enumerate(reqs)}
    pin: list[tuple[int, int] | None] = [None] * len(reqs)
    for request_id, place in problem.pinned.items():
        if request_id in ids_index:
            pin[ids_index[request_id]] = (int(place[0]), int(place[1]))
    order = sorted(range(len(reqs)), key=lambda i: (not reqs[i].must_meet, -reqs[i].priority, i))
    has_room = problem.slots > 0 and problem.tables > 0
    cand = [i for i in order if has_room and allowed[i]]
    enterprises = {ent[i] for i in cand}
    return _Instance(
        problem=problem,
        reqs=reqs,
        ent=ent,
        prov=prov,
        orgs=orgs,
        free=free,
        limit=limit,
        cap=cap,
        n_requests=n_requests,
        allowed=allowed,
        allowed_set=[frozenset(a) for a in allowed],
        rank=[level_rank[r.priority] for r in reqs],
        pin=pin,
        order=order,
        position=[p for _, p in sorted((i, p) for p, i in enumerate(order))],
        cand=cand,
        bipartite=not any(prov[i] in enterprises for i in cand),
        constrained=any(len(allowed[i]) < problem.slots for i in cand),
        withdrawn_pinned=sum(1 for k in problem.pinned if k not in ids_index),
    )


def _objective(inst: _Instance, colour: list[int]) -> tuple[int, int, int, int]:
    """The lexicographic objective: (must-meets, meetings, pins kept in slot, ranks)."""
    must = count = kept = ranks = 0
    for i, s in enumerate(colour):
        if s >= 0:
            count += 1
            must += inst.reqs[i].must_meet
            ranks += inst.rank[i]
            pin = inst.pin[i]
            kept += pin is not None and pin[0] == s
    return must, count, kept, ranks


def _pin_allowed(inst: _Instance, i: int) -> bool:
    """Whether request ``i`` is pinned to a slot it could still keep."""
    pin = inst.pin[i]
    return pin is not None and pin[0] in inst.allowed_set[i]


def _weights(inst: _Instance) -> tuple[int, int, int]:
    """Integer weights (must, count, pin) making each objective level dominate the rest."""
    sum_rank = sum(inst.rank[i] for i in inst.cand)
    n_pins = sum(inst.pin[i] is not None for i in inst.cand)
    w_pin = sum_rank + 1
    w_count = w_pin * n_pins + sum_rank + 1
    return w_count * (len(inst.cand) + 1), w_count, w_pin


# ------------------------------------------------------------------------- flows


def _select_by_flow(inst: _Instance) -> tuple[list[int], tuple[int, int, int, int]]:
    """Pick the best subset the per-org and event capacities allow (a relaxation).

    A min-cost flow over source → enterprise (cap) → provider (one arc per request) →
    sink (cap), behind one arc of capacity slots × tables, with arc costs encoding the
    lexicographic preferences. Without unavailability it is exact, and König colours
    the whole subset; otherwise its objective bounds every schedule's objective.
    """
    cand = inst.cand
    if not cand:
        return [], (0, 0, 0, 0)
    n = len(cand)
    w_must, w_count, w_pin = _weights(inst)
    n_orgs = len(inst.orgs)
    source, hub, sink = 0, 1, 2

    def ent_node(o: int) -> int:
        return 3 + o

    def prov_node(o: int) -> int:
        return 3 + n_orgs + o

    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arc_with_capacity_and_unit_cost(source, sink, n, 0)  # leave requests out
    total = min(n, inst.problem.slots * inst.problem.tables)
    flow.add_arc_with_capacity_and_unit_cost(source, hub, total, 0)
    for o in {inst.ent[i] for i in cand}:
        flow.add_arc_with_capacity_and_unit_cost(hub, ent_node(o), inst.cap[o], 0)
    for o in {inst.prov[i] for i in cand}:
        flow.add_arc_with_capacity_and_unit_cost(prov_node(o), sink, inst.cap[o], 0)
    arcs = []
    for i in cand:
        weight = (
            w_must * inst.reqs[i].must_meet + w_count + w_pin * _pin_allowed(inst, i) + inst.rank[i]
        )
        arcs.append(
            flow.add_arc_with_capacity_and_unit_cost(
                ent_node(inst.ent[i]), prov_node(inst.prov[i]), 1, -weight
            )
        )
    flow.set_node_supply(source, n)
    flow.set_node_supply(sink, -n)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    chosen = [i for i, arc in zip(cand, arcs, strict=True) if flow.flow(arc) > 0]
    relaxed = (
        sum(inst.reqs[i].must_meet for i in chosen),
        len(chosen),
        sum(_pin_allowed(inst, i) for i in chosen),
        sum(inst.rank[i] for i in chosen),
    )
    return chosen, relaxed


def _max_flow(arcs: list[tuple[int, int, int]], source: int, sink: int) -> int:
    solver = max_flow.SimpleMaxFlow()
    for tail, head, capacity in arcs:
        solver.add_arc_with_capacity(tail, head, capacity)
    if solver.solve(source, sink) != solver.OPTIMAL:
        raise RuntimeError("max flow failed")
    return solver.optimal_flow()


def _flow_bound(inst: _Instance) -> int:
    """A cheap upper bound on the meetings any schedule can hold, by max flow.

    The minimum of three relaxations: the degree-capacity b-matching (each org at most
    min(limit, free slots) meetings, the event at most slots × tables), and, for each
    side, a time-expanded matching of requests to (that side's org, common free slot)
    with at most ``tables`` meetings per slot.
    """
    cand = inst.cand
    if not cand:
        return 0
    slots, tables = inst.problem.slots, inst.problem.tables
    n_orgs = len(inst.orgs)
    source, hub, sink = 0, 1, 2
    arcs = [(source, hub, min(len(cand), slots * tables))]
    arcs += [(hub, 3 + o, inst.cap[o]) for o in {inst.ent[i] for i in cand}]
    arcs += [(3 + n_orgs + o, sink, inst.cap[o]) for o in {inst.prov[i] for i in cand}]
    arcs += [(3 + inst.ent[i], 3 + n_orgs + inst.prov[i], 1) for i in cand]
    bounds = [_max_flow(arcs, source, sink)]
    for side in (inst.ent, inst.prov):
        # source → org (cap) → request → (org, slot) → slot (tables) → sink
        base_req = 3 + n_orgs
        base_slot = base_req + len(inst.reqs)
        base_pair = base_slot + slots
        arcs = [(source, 3 + o, inst.cap[o]) for o in {side[i] for i in cand}]
        arcs += [(base_slot + s, sink, tables) for s in range(slots)]
        pairs: set[tuple[int, int]] = set()
        for i in cand:
            arcs.append((3 + side[i], base_req + i, 1))
            for s in inst.allowed[i]:
                arcs.append((base_req + i, base_pair + side[i] * slots + s, 1))
                pairs.add((side[i], s))
        arcs += [(base_pair + o * slots + s, base_slot + s, 1) for o, s in pairs]
        bounds.append(_max_flow(arcs, source, sink))
    return min(bounds)


# --------------------------------------------------------------------- colouring


class _Colouring:
    """A partial proper edge colouring (colour = slot) with Kempe-chain moves."""

    def __init__(self, inst: _Instance, colours: int, capacity: int) -> None:
        self.inst = inst
        self.capacity = capacity  # meetings per colour (tables); may be unbounded
        self.colour = [-1] * len(inst.reqs)
        self.at: list[dict[int, int]] = [{} for _ in inst.orgs]  # org → {colour: request}
        self.size = [0] * colours
        self.members: list[set[int]] = [set() for _ in range(colours)]
        self.frozen: set[int] = set()  # meetings no move may touch (pins kept in place)
        self.budget = 0  # ejection attempts left for the current top-level insertion

    def place(self, i: int, c: int) -> None:
        self.colour[i] = c
        self.at[self.inst.ent[i]][c] = i
        self.at[self.inst.prov[i]][c] = i
        self.size[c] += 1
        self.members[c].add(i)

    def remove(self, i: int) -> None:
        c = self.colour[i]
        del self.at[self.inst.ent[i]][c]
        del self.at[self.inst.prov[i]][c]
        self.size[c] -= 1
        self.members[c].discard(i)
        self.colour[i] = -1

    def restore(self, colour: list[int]) -> None:
        for i, c in enumerate(self.colour):
            if c >= 0 and colour[i] != c:
                self.remove(i)
        for i, c in enumerate(colour):
            if c >= 0 and self.colour[i] != c:
                self.place(i, c)

    def chain(self, start: int, a: int, b: int) -> tuple[list[int], list[int]]:
        """The a/b alternating path leaving ``start`` by its a-edge: (edges, orgs)."""
        edges, orgs = [], [start]
        org, c = start, a
        while c in self.at[org]:
            i = self.at[org][c]
            edges.append(i)
            org = self.inst.prov[i] if self.inst.ent[i] == org else self.inst.ent[i]
            orgs.append(org)
            c = b if c == a else a
        return edges, orgs

    def swap(self, edges: list[int], a: int, b: int) -> None:
        new = [b if self.colour[i] == a else a for i in edges]
        for i in edges:
            self.remove(i)
        for i, c in zip(edges, new, strict=True):
            self.place(i, c)

    def insert(self, i: int, allowed: Sequence[int], prefer: int | None = None) -> bool:
        """Colour request ``i`` within ``allowed``, recolouring one Kempe chain if needed.

        König's step: with a free at one end and b free at the other, swapping the a/b
        chain from the far end frees a at both. Unavailability and the table limit can
        forbid a swap, so several (a, b) pairs are tried within a budget.
        """
        u, v = self.inst.ent[i], self.inst.prov[i]
        at_u, at_v = self.at[u], self.at[v]
        best = None
        for s in allowed:
            if s not in at_u and s not in at_v and self.size[s] < self.capacity:
                if s == prefer:
                    best = s
                    break
                if best is None or self.size[s] < self.size[best]:
                    best = s
        if best is not None:
            self.place(i, best)
            return True
        free_u = [s for s in allowed if s not in at_u]
        free_v = [s for s in allowed if s not in at_v]
        budget = _KEMPE_BUDGET
        for near, far, near_free, far_free in ((u, v, free_u, free_v), (v, u, free_v, free_u)):
            for a in near_free:
                for b in far_free:
                    if a == b:
                        continue
                    if self._swap_and_place(i, far, near, a, b):
                        return True
                    budget -= 1
                    if budget <= 0:
                        return False
        return False

    def insert_with_ejection(self, i: int, depth: int, locked: frozenset[int]) -> bool:
        """Insert ``i``, if need be by evicting the meetings in its way and re-inserting them.

        An ejection chain of bounded depth: put ``i`` into one of its slots, evicting
        the meetings of its two organizations there (and one more if the slot has no
        free table), then place each evicted meeting the same way one level down. Any
        failure restores the colouring, so the count never drops.
        """
        allowed = self.inst.allowed[i]
        if self.insert(i, allowed):
            return True
        if depth == 0 or self.budget <= 0:
            return False
        u, v = self.inst.ent[i], self.inst.prov[i]
        locked |= self.frozen
        options = []
        for s in allowed:
            evict = {j for j in (self.at[u].get(s), self.at[v].get(s)) if j is not None}
            if not evict & locked:
                full = self.size[s] - len(evict) >= self.capacity
                options.append((len(evict) + full, s, evict, full))
        options.sort(key=lambda option: option[:2])
        locked |= {i}
        for _, s, evict, full in options[:_EJECTION_WIDTH]:
            extras: list[int | None] = [None]
            if full:
                others = [j for j in self.members[s] if j not in evict and j not in locked]
                others.sort(key=lambda j: -len(self.inst.allowed[j]))
                extras = list(others[:3])
            for extra in extras:
                self.budget -= 1
                if self.budget < 0:
                    return False
                saved = self.colour.copy()
                out = sorted(evict | ({extra} if extra is not None else set()))
                for j in out:
                    self.remove(j)
                self.place(i, s)
                if all(self.insert_with_ejection(j, depth - 1, locked) for j in out):
                    return True
                self.restore(saved)
        return False

    def eject(self, i: int, depth: int = _EJECTION_DEPTH) -> bool:
        """Insert ``i`` by an ejection chain within a fresh attempt budget."""
        self.budget = _EJECTION_BUDGET
        return self.insert_with_ejection(i, depth, frozenset())

    def move_back(self, i: int, s: int) -> bool:
        """Move scheduled meeting ``i`` to slot ``s`` (its pin), re-placing what is there.

        Meetings in the way are evicted and re-inserted elsewhere without touching the
        frozen ones; on failure everything is restored, so the count never drops.
        """
        u, v = self.inst.ent[i], self.inst.prov[i]
        evict = {j for j in (self.at[u].get(s), self.at[v].get(s)) if j is not None and j != i}
        if not self.frozen.isdisjoint(evict):
            return False
        saved = self.colour.copy()
        self.remove(i)
        for j in evict:
            self.remove(j)
        if self.size[s] >= self.capacity:
            others = [j for j in self.members[s] if j not in self.frozen]
            if not others:
                self.restore(saved)
                return False
            extra = max(others, key=lambda j: len(self.inst.allowed[j]))
            self.remove(extra)
            evict.add(extra)
        self.place(i, s)
        self.frozen.add(i)
        if all(self.eject(j) for j in sorted(evict)):
            return True
        self.frozen.discard(i)
        self.restore(saved)
        return False

    def _swap_and_place(self, i: int, far: int, near: int, a: int, b: int) -> bool:
        edges, orgs = self.chain(far, a, b)
        if near in orgs:  # only possible when an org is on both sides
            return False
        if self.frozen and not self.frozen.isdisjoint(edges):
            return False
        allowed = self.inst.allowed_set
        moved_a = 0
        for i_edge in edges:
            if self.colour[i_edge] == a:
                moved_a += 1
                if b not in allowed[i_edge]:
                    return False
            elif a not in allowed[i_edge]:
                return False
        moved_b = len(edges) - moved_a
        if self.size[a] - moved_a + moved_b + 1 > self.capacity:
            return False
        if self.size[b] + moved_a - moved_b > self.capacity:
            return False
        self.swap(edges, a, b)
        self.place(i, a)
        return True

    def balance(self) -> None:
        """Make colour class sizes differ by at most one (equitable edge colouring).

        While the largest class a exceeds the smallest b by two or more, some component
        of the a/b subgraph is a path with one more a-edge than b-edges; swapping it
        moves one meeting from a to b without breaking properness.
        """
        colours = range(len(self.size))
        while True:
            a = max(colours, key=lambda c: self.size[c])
            b = min(colours, key=lambda c: self.size[c])
            if self.size[a] - self.size[b] <= 1:
                return
            for org_colours, org in zip(self.at, range(len(self.at)), strict=True):
                if a in org_colours and b not in org_colours:
                    edges, _ = self.chain(org, a, b)
                    if len(edges) % 2 == 1:
                        self.swap(edges, a, b)
                        break
            else:  # pragma: no cover - impossible by the counting argument above
                raise AssertionError("no a/b path with more a-edges found")


def _konig(inst: _Instance, chosen: list[int]) -> list[int]:
    """Colour ``chosen`` with exactly ``slots`` colours, balanced; slots for colours.

    Requires a bipartite graph with no unavailability, every org's degree ≤ slots and
    len(chosen) ≤ slots × tables (the flow selection guarantees both). Colour classes
    are mapped to slots so that as many pinned meetings as possible keep their slot.
    """
    slots = inst.problem.slots
    col = _Colouring(inst, slots, capacity=len(chosen) + 1)
    every_slot = tuple(range(slots))
    for i in chosen:
        if not col.insert(i, every_slot):  # pragma: no cover - König's theorem
            raise AssertionError("König colouring failed")
    col.balance()
    pinned = [i for i in chosen if inst.pin[i] is not None and 0 <= inst.pin[i][0] < slots]
    if pinned:
        matches = np.zeros((slots, slots), dtype=np.int64)
        for i in pinned:
            matches[col.colour[i], inst.pin[i][0]] += 1
        rows, cols = linear_sum_assignment(matches, maximize=True)
        to_slot = dict(zip(rows.tolist(), cols.tolist(), strict=True))
    else:
        by_size = sorted(range(slots), key=lambda c: -col.size[c])
        to_slot = {c: s for s, c in enumerate(by_size)}
    return [to_slot[c] if c >= 0 else -1 for c in col.colour]


def _kempe_heuristic(inst: _Instance, chosen: list[int]) -> list[int]:
    """A start schedule under unavailability: pins first, then Kempe insertion.

    Pinned meetings go back to their slot where still possible and stay frozen there;
    the flow's choice is inserted next (most important first), then everything else,
    first by Kempe chains, then by ejection chains, and only then by moving pins (more
    meetings beat pins kept). Finally displaced pins are moved back where that costs
    nothing.
    """
    slots, tables = inst.problem.slots, inst.problem.tables
    col = _Colouring(inst, slots, capacity=tables)
    count = [0] * len(inst.orgs)

    def has_room(i: int) -> bool:
        return (
            count[inst.ent[i]] < inst.cap[inst.ent[i]]
            and count[inst.prov[i]] < inst.cap[inst.prov[i]]
        )

    def scheduled(i: int) -> None:
        count[inst.ent[i]] += 1
        count[inst.prov[i]] += 1

    def pinned_slot(i: int) -> int | None:
        return inst.pin[i][0] if _pin_allowed(inst, i) else None

    for i in chosen:
        s = pinned_slot(i)
        if s is None or col.size[s] >= tables or not has_room(i):
            continue
        if s not in col.at[inst.ent[i]] and s not in col.at[inst.prov[i]]:
            col.place(i, s)
            col.frozen.add(i)
            scheduled(i)
    chosen_set = set(chosen)
    rest = [i for i in chosen if col.colour[i] < 0]
    rest += [i for i in inst.cand if i not in chosen_set]
    for i in rest:
        if has_room(i) and col.insert(i, inst.allowed[i], prefer=pinned_slot(i)):
            scheduled(i)
    for unfreeze in (False, True):
        if unfreeze:
            col.frozen.clear()
        for i in rest:
            if col.colour[i] < 0 and has_room(i) and col.eject(i):
                scheduled(i)
    col.frozen = {i for i in chosen if col.colour[i] >= 0 and col.colour[i] == pinned_slot(i)}
    for i in chosen:
        s = pinned_slot(i)
        if s is not None and 0 <= col.colour[i] != s:
            col.move_back(i, s)
    return col.colour


# ------------------------------------------------------------------------ CP-SAT


@dataclass
class _Solved:
    colour: list[int]
    proven: int  # how many leading objective levels are proven optimal
    count_bound: int | None  # CP-SAT's bound on the count level, when it solved that level
    status: str | None


def _proven_levels(best: tuple[int, ...], relaxed: tuple[int, ...]) -> int:
    """Leading objective levels where the schedule reaches the flow relaxation."""
    proven = 0
    while proven < len(best) and best[proven] == relaxed[proven]:
        proven += 1
    return proven


def _cp_sat(
    inst: _Instance, hint: list[int], relaxed: tuple[int, int, int, int], seconds: float
) -> _Solved:
    """Improve ``hint`` with CP-SAT, one objective level at a time, within ``seconds``.

    x[r, s] for every slot both sides are free; at most one slot per request, one
    meeting per org per slot, ``tables`` per slot, the org limits. Levels are solved
    lexicographically (must-meets, meetings, pins kept, priority ranks): each optimum
    is fixed as a constraint before the next, which proves far faster than one
    objective with huge weights. A level the relaxation already proves is not solved.
    """
    deadline = time.perf_counter() + seconds
    problem = inst.problem
    model = cp_model.CpModel()
    x: dict[tuple[int, int], Any] = {}
    by_org_slot: dict[tuple[int, int], list[Any]] = {}
    by_slot: dict[int, list[Any]] = {}
    by_org: dict[int, list[Any]] = {}
    levels: list[list[tuple[int, Any]]] = [[], [], [], []]
    for i in inst.cand:
        row = []
        pin = inst.pin[i]
        for s in inst.allowed[i]:
            var = model.new_bool_var(f"x{i}_{s}")
            x[i, s] = var
            row.append(var)
            by_org_slot.setdefault((inst.ent[i], s), []).append(var)
            by_org_slot.setdefault((inst.prov[i], s), []).append(var)
            by_slot.setdefault(s, []).append(var)
            if inst.reqs[i].must_meet:
                levels[0].append((1, var))
            levels[1].append((1, var))
            if pin is not None and pin[0] == s:
                levels[2].append((1, var))
            levels[3].append((inst.rank[i], var))
        model.add_at_most_one(row)
        by_org.setdefault(inst.ent[i], []).extend(row)
        by_org.setdefault(inst.prov[i], []).extend(row)
    for group in by_org_slot.values():
        if len(group) > 1:
            model.add_at_most_one(group)
    for group in by_slot.values():
        if len(group) > problem.tables:
            model.add(sum(group) <= problem.tables)
    for o, group in by_org.items():
        if inst.cap[o] < len(group):
            model.add(sum(group) <= inst.cap[o])
    exprs = [sum(w * var for w, var in level) for level in levels]
    best, best_obj = hint, _objective(inst, hint)
    statuses: list[str] = []
    count_bound = None
    for level in range(4):
        if not levels[level]:  # nothing to choose at this level (no must-meets, no pins)
            continue
        if best_obj[: level + 1] == relaxed[: level + 1]:
            model.add(exprs[level] >= best_obj[level])
            continue
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return _Solved(best, level, count_bound, ",".join(statuses) or None)
        model.clear_hints()
        for (i, s), var in x.items():
            model.add_hint(var, best[i] == s)
        model.maximize(exprs[level])
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = remaining
        solver.parameters.random_seed = problem.seed
        if problem.workers:
            solver.parameters.num_workers = problem.workers
        status = solver.solve(model)
        statuses.append(f"{('must', 'count', 'pins', 'rank')[level]}={solver.status_name(status)}")
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            colour = [-1] * len(inst.reqs)
            for (i, s), var in x.items():
                if solver.value(var):
                    colour[i] = s
            if _objective(inst, colour) >= best_obj:
                best, best_obj = colour, _objective(inst, colour)
            if level == 1:
                count_bound = math.floor(solver.best_objective_bound + 1e-6)
        if status != cp_model.OPTIMAL:
            return _Solved(best, level, count_bound, ",".join(statuses))
        model.add(exprs[level] >= best_obj[level])
    return _Solved(best, 4, count_bound, ",".join(statuses) or None)


# ----------------------------------------------------------------------- results


def _tables(inst: _Instance, colour: list[int]) -> dict[int, int]:
    """Tables within each slot: pinned meetings keep theirs, others take the lowest free."""
    tables = inst.problem.tables
    taken: dict[int, set[int]] = {}
    table: dict[int, int] = {}
    scheduled = [i for i in inst.order if colour[i] >= 0]
    for i in scheduled:
        pin = inst.pin[i]
        if pin is not None and pin[0] == colour[i] and 0 <= pin[1] < tables:
            used = taken.setdefault(colour[i], set())
            if pin[1] not in used:
                used.add(pin[1])
                table[i] = pin[1]
    for i in sorted(scheduled, key=lambda i: (colour[i], inst.position[i])):
        if i not in table:
            used = taken.setdefault(colour[i], set())
            t = next(t for t in range(tables) if t not in used)
            used.add(t)
            table[i] = t
    return table


def _explain(inst: _Instance, colour: list[int], fallback: str) -> list[Unscheduled]:
    """Why each request is unscheduled, most specific cause first."""
    problem = inst.problem
    count = [0] * len(inst.orgs)
    busy: dict[tuple[int, int], int] = {}
    size = [0] * problem.slots
    for i, s in enumerate(colour):
        if s >= 0:
            count[inst.ent[i]] += 1
            count[inst.prov[i]] += 1
            busy[inst.ent[i], s] = i
            busy[inst.prov[i], s] = i
            size[s] += 1
    out = []
    capacity = {"slots": problem.slots, "tables": problem.tables}
    for i, r in enumerate(inst.reqs):
        if colour[i] >= 0:
            continue
        u, v = inst.ent[i], inst.prov[i]
        if u == v:
            out.append(Unscheduled(r.id, REASON_SAME_ORGANIZATION, {"org": r.enterprise}))
            continue
        if problem.slots == 0 or problem.tables == 0:
            out.append(Unscheduled(r.id, REASON_CAPACITY, capacity))
            continue
        if not inst.allowed[i]:
            params = {"enterprise": r.enterprise, "provider": r.provider}
            out.append(Unscheduled(r.id, REASON_NO_COMMON_FREE_SLOT, params))
            continue
        limited = [o for o in (u, v) if inst.limit[o] is not None and count[o] >= inst.limit[o]]
        saturated = [o for o in (u, v) if count[o] >= len(inst.free[o])]
        if limited:
            o = limited[0]
            params = {"org": inst.orgs[o], "limit": inst.limit[o]}
            out.append(Unscheduled(r.id, REASON_ORG_LIMIT, params))
        elif saturated:
            o = saturated[0]
            params = {
                "org": inst.orgs[o],
                "requests": inst.n_requests[o],
                "free_slots": len(inst.free[o]),
            }
            out.append(Unscheduled(r.id, REASON_ORG_SATURATED, params))
        elif all(size[s] >= problem.tables for s in inst.allowed[i]):
            out.append(Unscheduled(r.id, REASON_CAPACITY, capacity))
        elif fallback == REASON_DISPLACED:
            blocking = {busy[o, s] for s in inst.allowed[i] for o in (u, v) if (o, s) in busy}
            ids = [inst.reqs[k].id for k in sorted(blocking, key=inst.position.__getitem__)]
            out.append(Unscheduled(r.id, REASON_DISPLACED, {"blocking": ids}))
        else:
            params = {"seconds": problem.time_limit_seconds}
            out.append(Unscheduled(r.id, REASON_TIME_LIMIT, params))
    return out


def _result(
    inst: _Instance,
    colour: list[int],
    *,
    method: str,
    optimal: bool,
    upper_bound: int,
    started: float,
    fallback: str,
    **stats: Any,
) -> SchedulingResult:
    table = _tables(inst, colour)
    assignments = tuple(
        Assignment(inst.reqs[i].id, colour[i], table[i])
        for i in sorted(table, key=lambda i: (colour[i], table[i]))
    )
    kept = moved = unscheduled = 0
    for i, pin in enumerate(inst.pin):
        if pin is None:
            continue
        if colour[i] < 0:
            unscheduled += 1
        elif (colour[i], table[i]) == pin:
            kept += 1
        else:
            moved += 1
    return SchedulingResult(
        assignments=assignments,
        unscheduled=tuple(_explain(inst, colour, fallback)),
        upper_bound=max(upper_bound, len(assignments)),
        optimal=optimal,
        method=method,
        stats=SchedulingStats(
            runtime_seconds=time.perf_counter() - started,
            moved_pinned=moved,
            kept_pinned=kept,
            unscheduled_pinned=unscheduled,
            withdrawn_pinned=inst.withdrawn_pinned,
            blocked_pinned=sum(
                pin is not None and not _pin_allowed(inst, i) for i, pin in enumerate(inst.pin)
            ),
            **stats,
        ),
    )


# -------------------------------------------------------------------- public API


def schedule_meetings(problem: SchedulingProblem) -> SchedulingResult:
    """Schedule an event's 1:1 meetings as well as can be proven, and explain the rest.

    Without unavailability and pins, the result is optimal by construction (flow
    selection + König colouring + balancing). Otherwise a Kempe-chain heuristic runs
    first; if its objective equals the flow relaxation's it is optimal too, else CP-SAT
    improves it within ``problem.time_limit_seconds``.
    """
    started = time.perf_counter()
    inst = _prepare(problem)
    if not inst.cand:
        return _result(
            inst,
            [-1] * len(inst.reqs),
            method=METHOD_EMPTY,
            optimal=True,
            upper_bound=0,
            started=started,
            fallback=REASON_DISPLACED,
        )
    chosen, relaxed = _select_by_flow(inst)
    flow_bound = _flow_bound(inst)
    candidates: list[tuple[str, list[int]]] = []
    if inst.bipartite and not inst.constrained:
        candidates.append((METHOD_KONIG, _konig(inst, chosen)))
    if not candidates or _objective(inst, candidates[0][1]) != relaxed:
        candidates.append((METHOD_KEMPE, _kempe_heuristic(inst, chosen)))
    method, colour = max(candidates, key=lambda mc: _objective(inst, mc[1]))
    heuristic = _objective(inst, colour)
    proven = _proven_levels(heuristic, relaxed)
    solver_bound = solver_status = None
    remaining = problem.time_limit_seconds - (time.perf_counter() - started)
    if proven < len(relaxed) and remaining > 0:
        solved = _cp_sat(inst, colour, relaxed, remaining)
        method, colour, proven = METHOD_CP_SAT, solved.colour, solved.proven
        solver_bound, solver_status = solved.count_bound, solved.status
    best = _objective(inst, colour)
    bounds = [flow_bound]
    if proven >= 2:  # as many meetings as possible, given as many must-meets as possible
        bounds.append(best[1])
    elif best[0] == relaxed[0]:  # as many must-meets as the relaxation: its count bounds
        bounds.append(relaxed[1])
    if solver_bound is not None:
        bounds.append(solver_bound)
    # Once no schedule can hold more meetings, a left-out request is displaced by the
    # others; before that, the solver may simply have run out of time.
    count_proven = proven >= 2 or best[1] >= min(bounds)
    return _result(
        inst,
        colour,
        method=method,
        optimal=proven == len(relaxed),
        upper_bound=min(bounds),
        started=started,
        fallback=REASON_DISPLACED if count_proven else REASON_TIME_LIMIT,
        flow_bound=flow_bound,
        solver_bound=solver_bound,
        solver_status=solver_status,
        heuristic_scheduled=heuristic[1],
    )


def greedy_first_fit(problem: SchedulingProblem) -> SchedulingResult:
    """The naive baseline, for the benchmark only: each request, most important first,
    takes the first slot where both sides and a table are free.

    It can need 2Δ−1 slots where Δ suffice, which is why the scheduler never uses it.
    """
    started = time.perf_counter()
    inst = _prepare(problem)
    colour = [-1] * len(inst.reqs)
    busy: set[tuple[int, int]] = set()
    count = [0] * len(inst.orgs)
    size = [0] * problem.slots
    for i in inst.cand:
        u, v = inst.ent[i], inst.prov[i]
        if count[u] >= inst.cap[u] or count[v] >= inst.cap[v]:
            continue
        for s in inst.allowed[i]:
            if (u, s) not in busy and (v, s) not in busy and size[s] < problem.tables:
                colour[i] = s
                busy.update({(u, s), (v, s)})
                count[u] += 1
                count[v] += 1
                size[s] += 1
                break
    return _result(
        inst,
        colour,
        method=METHOD_GREEDY,
        optimal=False,
        upper_bound=_flow_bound(inst),
        started=started,
        fallback=REASON_DISPLACED,
    )


def verify(result: SchedulingResult, problem: SchedulingProblem) -> list[str]:
    """Check a result against its problem without trusting the scheduler.

    Returns one message per violation, each starting with a code and a colon
    (``org_double_booked``, ``table_double_booked``, ``unavailable``, ``limit_exceeded``
    …); an empty list means the schedule is valid and every request is accounted for.
    """
    errors: list[str] = []
    requests = {r.id: r for r in problem.requests}
    seen: set[RequestId] = set()
    tables_used: dict[tuple[int, int], RequestId] = {}
    org_slots: dict[tuple[OrgId, int], list[RequestId]] = {}
    meetings: dict[OrgId, int] = {}
    for a in result.assignments:
        r = requests.get(a.request_id)
        if r is None:
            errors.append(f"unknown_request: {a.request_id!r} is not in the problem")
            continue
        if a.request_id in seen:
            errors.append(f"assigned_twice: request {a.request_id!r}")
        seen.add(a.request_id)
        if not (0 <= a.slot < problem.slots and 0 <= a.table < problem.tables):
            errors.append(f"out_of_range: request {a.request_id!r} at {a.slot}/{a.table}")
        if (a.slot, a.table) in tables_used:
            other = tables_used[a.slot, a.table]
            errors.append(
                f"table_double_booked: slot {a.slot} table {a.table} holds "
                f"{other!r} and {a.request_id!r}"
            )
        tables_used[a.slot, a.table] = a.request_id
        if r.enterprise == r.provider:
            errors.append(f"same_organization: request {a.request_id!r}")
        for org in {r.enterprise, r.provider}:
            org_slots.setdefault((org, a.slot), []).append(a.request_id)
            meetings[org] = meetings.get(org, 0) + 1
            if a.slot in problem.unavailable.get(org, ()):
                errors.append(
                    f"unavailable: {org!r} is unavailable in slot {a.slot} "
                    f"(request {a.request_id!r})"
                )
    for (org, slot), ids in org_slots.items():
        if len(ids) > 1:
            errors.append(f"org_double_booked: {org!r} in slot {slot} for requests {ids!r}")
    for org, n in meetings.items():
        limit = problem.meeting_limits.get(org, problem.meeting_limit)
        if limit is not None and n > limit:
            errors.append(f"limit_exceeded: {org!r} has {n} meetings, limit {limit}")
    for u in result.unscheduled:
        if u.request_id not in requests:
            errors.append(f"unknown_request: {u.request_id!r} is not in the problem")
        elif u.request_id in seen:
            errors.append(f"scheduled_and_unscheduled: request {u.request_id!r}")
        if u.reason not in REASONS:
            errors.append(f"unknown_reason: {u.reason!r} for request {u.request_id!r}")
        seen.add(u.request_id)
    missing = [rid for rid in requests if rid not in seen]
    if missing:
        errors.append(f"unaccounted: requests {missing!r} are neither scheduled nor explained")
    if result.upper_bound < len(result.assignments):
        errors.append(
            f"bound_violated: {len(result.assignments)} scheduled > bound {result.upper_bound}"
        )
    return errors
