"""Why a request stays unscheduled: a reason code and the parameters the UI translates."""

from __future__ import annotations

from events.scheduling.instance import Instance
from events.scheduling.model import (
    REASON_CAPACITY,
    REASON_DISPLACED,
    REASON_NO_COMMON_FREE_SLOT,
    REASON_ORG_LIMIT,
    REASON_ORG_SATURATED,
    REASON_SAME_ORGANIZATION,
    REASON_TIME_LIMIT,
    Unscheduled,
)


def explain_unscheduled(inst: Instance, colour: list[int], fallback: str) -> list[Unscheduled]:
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
