"""An independent check of any schedule against its problem (tests, benchmark)."""

from __future__ import annotations

from events.scheduling.model import REASONS, OrgId, RequestId, SchedulingProblem, SchedulingResult


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
