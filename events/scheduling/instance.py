"""The problem indexed by integers, derived once, and the lexicographic objective."""

from __future__ import annotations

from dataclasses import dataclass

from events.scheduling.model import MeetingRequest, OrgId, SchedulingProblem


@dataclass
class Instance:
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


def prepare(problem: SchedulingProblem) -> Instance:
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
    return Instance(
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


def objective(inst: Instance, colour: list[int]) -> tuple[int, int, int, int]:
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


def pin_allowed(inst: Instance, i: int) -> bool:
    """Whether request ``i`` is pinned to a slot it could still keep."""
    pin = inst.pin[i]
    return pin is not None and pin[0] in inst.allowed_set[i]
