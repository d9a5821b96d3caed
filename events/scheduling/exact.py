"""The exact search: OR-Tools CP-SAT, one objective level at a time, with proven bounds."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from events.scheduling.instance import Instance, objective


@dataclass
class Solved:
    colour: list[int]
    proven: int  # how many leading objective levels are proven optimal
    count_bound: int | None  # CP-SAT's bound on the count level, when it solved that level
    status: str | None


def proven_levels(best: tuple[int, ...], relaxed: tuple[int, ...]) -> int:
    """Leading objective levels where the schedule reaches the flow relaxation."""
    proven = 0
    while proven < len(best) and best[proven] == relaxed[proven]:
        proven += 1
    return proven


def cp_sat_search(
    inst: Instance, hint: list[int], relaxed: tuple[int, int, int, int], seconds: float
) -> Solved:
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
    best, best_obj = hint, objective(inst, hint)
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
            return Solved(best, level, count_bound, ",".join(statuses) or None)
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
            if objective(inst, colour) >= best_obj:
                best, best_obj = colour, objective(inst, colour)
            if level == 1:
                count_bound = math.floor(solver.best_objective_bound + 1e-6)
        if status != cp_model.OPTIMAL:
            return Solved(best, level, count_bound, ",".join(statuses))
        model.add(exprs[level] >= best_obj[level])
    return Solved(best, 4, count_bound, ",".join(statuses) or None)


# ----------------------------------------------------------------------- results
