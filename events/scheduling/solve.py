"""The scheduler: flow selection, colouring, exact search when needed, bounds, result."""

from __future__ import annotations

import time

from events.scheduling.bounds import flow_upper_bound, select_by_flow
from events.scheduling.colouring import kempe_heuristic, konig_colouring
from events.scheduling.exact import cp_sat_search, proven_levels
from events.scheduling.instance import objective, prepare
from events.scheduling.model import (
    METHOD_CP_SAT,
    METHOD_EMPTY,
    METHOD_KEMPE,
    METHOD_KONIG,
    REASON_DISPLACED,
    REASON_TIME_LIMIT,
    SchedulingProblem,
    SchedulingResult,
)
from events.scheduling.results import build_result


def schedule_meetings(problem: SchedulingProblem) -> SchedulingResult:
    """Schedule an event's 1:1 meetings as well as can be proven, and explain the rest.

    Without unavailability and pins, the result is optimal by construction (flow
    selection + König colouring + balancing). Otherwise a Kempe-chain heuristic runs
    first; if its objective equals the flow relaxation's it is optimal too, else CP-SAT
    improves it within ``problem.time_limit_seconds``.
    """
    started = time.perf_counter()
    inst = prepare(problem)
    if not inst.cand:
        return build_result(
            inst,
            [-1] * len(inst.reqs),
            method=METHOD_EMPTY,
            optimal=True,
            upper_bound=0,
            started=started,
            fallback=REASON_DISPLACED,
        )
    chosen, relaxed = select_by_flow(inst)
    flow_bound = flow_upper_bound(inst)
    candidates: list[tuple[str, list[int]]] = []
    if inst.bipartite and not inst.constrained:
        candidates.append((METHOD_KONIG, konig_colouring(inst, chosen)))
    if not candidates or objective(inst, candidates[0][1]) != relaxed:
        candidates.append((METHOD_KEMPE, kempe_heuristic(inst, chosen)))
    method, colour = max(candidates, key=lambda mc: objective(inst, mc[1]))
    heuristic = objective(inst, colour)
    proven = proven_levels(heuristic, relaxed)
    solver_bound = solver_status = None
    remaining = problem.time_limit_seconds - (time.perf_counter() - started)
    if proven < len(relaxed) and remaining > 0:
        solved = cp_sat_search(inst, colour, relaxed, remaining)
        method, colour, proven = METHOD_CP_SAT, solved.colour, solved.proven
        solver_bound, solver_status = solved.count_bound, solved.status
    best = objective(inst, colour)
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
    return build_result(
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
