"""The naive first-fit baseline the benchmark compares the scheduler with."""

from __future__ import annotations

import time

from events.scheduling.bounds import flow_upper_bound
from events.scheduling.instance import prepare
from events.scheduling.model import (
    METHOD_GREEDY,
    REASON_DISPLACED,
    SchedulingProblem,
    SchedulingResult,
)
from events.scheduling.results import build_result


def greedy_first_fit(problem: SchedulingProblem) -> SchedulingResult:
    """The naive baseline, for the benchmark only: each request, most important first,
    takes the first slot where both sides and a table are free.

    It can need 2Δ−1 slots where Δ suffice, which is why the scheduler never uses it.
    """
    started = time.perf_counter()
    inst = prepare(problem)
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
    return build_result(
        inst,
        colour,
        method=METHOD_GREEDY,
        optimal=False,
        upper_bound=flow_upper_bound(inst),
        started=started,
        fallback=REASON_DISPLACED,
    )
