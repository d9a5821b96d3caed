"""Turn a colouring (a slot per request) into a ``SchedulingResult``: tables, pins, account."""

from __future__ import annotations

import time
from typing import Any

from events.scheduling.explain import explain_unscheduled
from events.scheduling.instance import Instance, pin_allowed
from events.scheduling.model import Assignment, SchedulingResult, SchedulingStats


def _tables(inst: Instance, colour: list[int]) -> dict[int, int]:
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


def build_result(
    inst: Instance,
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
        unscheduled=tuple(explain_unscheduled(inst, colour, fallback)),
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
                pin is not None and not pin_allowed(inst, i) for i, pin in enumerate(inst.pin)
            ),
            **stats,
        ),
    )
