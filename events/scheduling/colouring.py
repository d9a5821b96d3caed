"""Edge colouring by Kempe chains: König's colouring, and the heuristic under unavailability.

Colours are slots; an edge is a meeting between two organizations. Without
unavailability König's theorem guarantees Δ colours suffice and alternating-path
recolouring finds them; with it, the same moves plus bounded ejection chains give the
start schedule that the exact search improves.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from events.scheduling.instance import Instance, pin_allowed

_KEMPE_BUDGET = 48  # chain flips tried per request before the heuristic gives up on it
_EJECTION_WIDTH = 6
_EJECTION_DEPTH = 4
_EJECTION_BUDGET = 400  # evictions tried per ejection chain, so its search stays bounded


class _Colouring:
    """A partial proper edge colouring (colour = slot) with Kempe-chain moves."""

    def __init__(self, inst: Instance, colours: int, capacity: int) -> None:
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


def konig_colouring(inst: Instance, chosen: list[int]) -> list[int]:
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


def kempe_heuristic(inst: Instance, chosen: list[int]) -> list[int]:
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
        return inst.pin[i][0] if pin_allowed(inst, i) else None

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
