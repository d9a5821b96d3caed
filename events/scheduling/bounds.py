"""Flow relaxations: the best subset the capacities allow, and cheap upper bounds.

Both are exact for what they relax and fast (OR-Tools network flows); the scheduler
compares its schedules with them to prove optimality without a search.
"""

from __future__ import annotations

from ortools.graph.python import max_flow, min_cost_flow

from events.scheduling.instance import Instance, pin_allowed


def _weights(inst: Instance) -> tuple[int, int, int]:
    """Integer weights (must, count, pin) making each objective level dominate the rest."""
    sum_rank = sum(inst.rank[i] for i in inst.cand)
    n_pins = sum(inst.pin[i] is not None for i in inst.cand)
    w_pin = sum_rank + 1
    w_count = w_pin * n_pins + sum_rank + 1
    return w_count * (len(inst.cand) + 1), w_count, w_pin


# ------------------------------------------------------------------------- flows


def select_by_flow(inst: Instance) -> tuple[list[int], tuple[int, int, int, int]]:
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
            w_must * inst.reqs[i].must_meet + w_count + w_pin * pin_allowed(inst, i) + inst.rank[i]
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
        sum(pin_allowed(inst, i) for i in chosen),
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


def flow_upper_bound(inst: Instance) -> int:
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
