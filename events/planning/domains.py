"""Step 1, domains: group needs by industry and share the events out across them.

Events go to industries so that event sizes stay balanced; an industry too small to
fill a balanced event is merged with a related one, or into a cross-industry session.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date

from events.planning.model import BALANCE_TARGET, MIXED, Note, PlanNeed, gettext_noop


@dataclass
class Unit:
    """A set of industries that get events together, and the needs (indices) they hold."""

    industries: list[str]
    needs: list[int]
    events: int = 1


@dataclass
class Group:
    unit: Unit
    needs: list[int]
    providers: list[Hashable] = field(default_factory=list)
    forced: list[Hashable] = field(default_factory=list)
    theme: tuple[str, str, str | None] = ("", "", None)
    ideal: date | None = None


def allocate_units(
    needs: list[PlanNeed],
    n_events: int,
    related: Mapping[str, Collection[str]],
    notes: list[Note],
) -> list[Unit]:
    """Group industries into units and give each a number of events, merging small ones."""
    by_industry: dict[str, list[int]] = defaultdict(list)
    for i, need in enumerate(needs):
        by_industry[need.industry].append(i)
    units = [Unit([code], members) for code, members in by_industry.items()]
    while True:
        counts = [len(u.needs) for u in units]
        allocation = _allocate(counts, n_events)
        if len(units) == 1 or (allocation and allocation[1] <= BALANCE_TARGET):
            break
        a, b = sorted(_best_merge(units, n_events, related), key=lambda u: len(units[u].needs))
        merged = Unit(units[a].industries + units[b].industries, units[a].needs + units[b].needs)
        if not _are_related(units[a], units[b], related):
            merged.industries = [MIXED, *(c for c in merged.industries if c != MIXED)]
        notes.append(
            Note(
                gettext_noop(
                    "Merged %(first_industries)s (%(first)d needs) with %(second_industries)s "
                    "(%(second)d needs) into shared events: each has too few needs for "
                    "events of a balanced size alone."
                ),
                {
                    "first_industries": list(units[a].industries),
                    "first": len(units[a].needs),
                    "second_industries": list(units[b].industries),
                    "second": len(units[b].needs),
                },
            )
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
    units: list[Unit], n_events: int, related: Mapping[str, Collection[str]]
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


def _are_related(a: Unit, b: Unit, related: Mapping[str, Collection[str]]) -> bool:
    if MIXED in a.industries or MIXED in b.industries:
        return True
    return any(
        y in related.get(x, ()) or x in related.get(y, ())
        for x in a.industries
        for y in b.industries
    )
