"""Specifications of the 1:1 meeting scheduler (events/scheduling/).

Pure Python: no database, no Django.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections import Counter

import pytest

from events.scheduling import (
    Assignment,
    MeetingRequest,
    SchedulingProblem,
    SchedulingResult,
    Unscheduled,
    greedy_first_fit,
    schedule_meetings,
    verify,
)

# First fit puts 1 and 2 into slot 0 and 3 into slot 1 (a2 is busy in 0); 4 then finds
# a1 busy in slot 0 and b2 busy in slot 1, so it needs a third slot. Δ = 2 suffice.
FIRST_FIT_TRAP = [
    MeetingRequest(1, "a1", "b1"),
    MeetingRequest(2, "a2", "b3"),
    MeetingRequest(3, "a2", "b2"),
    MeetingRequest(4, "a1", "b2"),
]

# r0 can only be in slot 2 and r2 only in slot 0, and those are exactly r1's two
# possible slots (its enterprise is in r2, its provider in r0): at most two of three.
# Every max-flow relaxation still allows three, so only the exact solver proves two.
PUZZLE = SchedulingProblem(
    slots=3,
    tables=2,
    requests=[
        MeetingRequest(0, "e0", "p1", priority=0.9),
        MeetingRequest(1, "e1", "p1", priority=0.1),
        MeetingRequest(2, "e1", "p0", priority=0.8),
    ],
    unavailable={"e0": {0, 1}, "e1": {1}, "p0": {1, 2}},
    time_limit_seconds=5.0,
    workers=1,
)


def codes(errors: list[str]) -> list[str]:
    return [e.split(":", 1)[0] for e in errors]


def slot_sizes(result: SchedulingResult) -> list[int]:
    return sorted(Counter(a.slot for a in result.assignments).values())


def placed(result: SchedulingResult) -> dict[object, tuple[int, int]]:
    return {a.request_id: (a.slot, a.table) for a in result.assignments}


def reasons(result: SchedulingResult) -> dict[object, tuple[str, dict]]:
    return {u.request_id: (u.reason, dict(u.params)) for u in result.unscheduled}


# --------------------------------------------------------------- König: everything fits


def test_schedule_meetings_first_fit_trap_fits_in_max_degree_slots() -> None:
    problem = SchedulingProblem(slots=2, tables=2, requests=FIRST_FIT_TRAP)

    result = schedule_meetings(problem)

    assert result.scheduled_count == 4
    assert result.unscheduled == ()
    assert (result.method, result.optimal, result.upper_bound) == ("konig", True, 4)
    assert verify(result, problem) == []


def test_greedy_first_fit_trap_leaves_a_meeting_out() -> None:
    problem = SchedulingProblem(slots=2, tables=2, requests=FIRST_FIT_TRAP)

    result = greedy_first_fit(problem)

    assert [u.request_id for u in result.unscheduled] == [4]
    assert result.method == "greedy_first_fit"
    assert verify(result, problem) == []


def test_schedule_meetings_complete_bipartite_uses_exactly_delta_slots() -> None:
    requests = [MeetingRequest(f"{e}-{p}", f"E{e}", f"P{p}") for e in range(6) for p in range(6)]
    problem = SchedulingProblem(slots=6, tables=6, requests=requests)

    result = schedule_meetings(problem)

    assert result.scheduled_count == 36
    assert slot_sizes(result) == [6] * 6
    assert verify(result, problem) == []


@pytest.mark.parametrize("seed", range(5))
def test_schedule_meetings_regular_multigraph_schedules_all_in_degree_slots(seed: int) -> None:
    # A d-regular bipartite multigraph: d random perfect matchings, repeated pairs allowed.
    rng = random.Random(seed)
    n, d = 12, 7
    requests = []
    for _ in range(d):
        partners = list(range(n))
        rng.shuffle(partners)
        requests += [
            MeetingRequest(len(requests) + k, f"E{k}", f"P{partners[k]}") for k in range(n)
        ]
    problem = SchedulingProblem(slots=d, tables=n, requests=requests)

    result = schedule_meetings(problem)

    assert result.scheduled_count == n * d
    assert slot_sizes(result) == [n] * d
    assert verify(result, problem) == []


def test_schedule_meetings_balanced_slots_respect_the_table_limit() -> None:
    # One provider with Δ = 4 requests and 8 other pairs: 12 meetings, 4 slots, 3 tables.
    requests = [MeetingRequest(k, f"E{k}", "P-popular") for k in range(4)]
    requests += [MeetingRequest(10 + k, f"F{k}", f"Q{k}") for k in range(8)]
    problem = SchedulingProblem(slots=4, tables=3, requests=requests)

    result = schedule_meetings(problem)

    assert result.scheduled_count == 12
    assert slot_sizes(result) == [3, 3, 3, 3]
    assert sorted(a.table for a in result.assignments) == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]
    assert verify(result, problem) == []


def test_schedule_meetings_tables_are_lowest_free_within_each_slot() -> None:
    requests = [MeetingRequest(k, f"E{k}", f"P{k}", priority=k) for k in range(3)]
    problem = SchedulingProblem(slots=1, tables=5, requests=requests)

    result = schedule_meetings(problem)

    assert placed(result) == {2: (0, 0), 1: (0, 1), 0: (0, 2)}


# ------------------------------------------------------------- over capacity: who wins


def test_schedule_meetings_saturated_provider_drops_lowest_priority() -> None:
    requests = [
        MeetingRequest("a", "E1", "P", priority=0.9),
        MeetingRequest("b", "E2", "P", priority=0.5),
        MeetingRequest("c", "E3", "P", priority=0.2),
        MeetingRequest("d", "E4", "P", priority=0.7),
    ]
    problem = SchedulingProblem(slots=3, tables=4, requests=requests)

    result = schedule_meetings(problem)

    assert sorted(placed(result)) == ["a", "b", "d"]
    assert reasons(result) == {"c": ("org_saturated", {"org": "P", "requests": 4, "free_slots": 3})}
    assert (result.upper_bound, result.optimal) == (3, True)


def test_schedule_meetings_must_meet_beats_higher_priority() -> None:
    requests = [
        MeetingRequest("high", "E1", "P", priority=0.9),
        MeetingRequest("must", "E2", "P", priority=0.1, must_meet=True),
        MeetingRequest("mid", "E3", "P", priority=0.8),
    ]
    problem = SchedulingProblem(slots=2, tables=2, requests=requests)

    result = schedule_meetings(problem)

    assert sorted(placed(result)) == ["high", "must"]
    assert [u.request_id for u in result.unscheduled] == ["mid"]


def test_schedule_meetings_full_event_reports_capacity() -> None:
    requests = [MeetingRequest(k, f"E{k}", f"P{k}", priority=k) for k in range(5)]
    problem = SchedulingProblem(slots=2, tables=2, requests=requests)

    result = schedule_meetings(problem)

    assert sorted(placed(result)) == [1, 2, 3, 4]
    assert reasons(result) == {0: ("capacity", {"slots": 2, "tables": 2})}
    assert result.upper_bound == 4


def test_schedule_meetings_org_limit_is_reported() -> None:
    requests = [MeetingRequest(k, f"E{k}", "P", priority=k) for k in range(3)]
    problem = SchedulingProblem(slots=3, tables=3, requests=requests, meeting_limits={"P": 2})

    result = schedule_meetings(problem)

    assert sorted(placed(result)) == [1, 2]
    assert reasons(result) == {0: ("org_limit", {"org": "P", "limit": 2})}
    assert verify(result, problem) == []


def test_schedule_meetings_default_limit_applies_to_every_org() -> None:
    requests = [MeetingRequest(k, "E", f"P{k}", priority=k) for k in range(4)]
    problem = SchedulingProblem(slots=4, tables=4, requests=requests, meeting_limit=1)

    result = schedule_meetings(problem)

    assert sorted(placed(result)) == [3]
    assert {u.reason for u in result.unscheduled} == {"org_limit"}


def test_schedule_meetings_no_common_free_slot_is_reported() -> None:
    requests = [MeetingRequest("x", "E", "P")]
    problem = SchedulingProblem(
        slots=2, tables=1, requests=requests, unavailable={"E": {0}, "P": {1}}
    )

    result = schedule_meetings(problem)

    assert reasons(result) == {"x": ("no_common_free_slot", {"enterprise": "E", "provider": "P"})}
    assert (result.scheduled_count, result.upper_bound) == (0, 0)


def test_schedule_meetings_request_with_itself_is_reported() -> None:
    problem = SchedulingProblem(slots=2, tables=1, requests=[MeetingRequest("x", "O", "O")])

    result = schedule_meetings(problem)

    assert reasons(result) == {"x": ("same_organization", {"org": "O"})}


def test_schedule_meetings_event_without_slots_reports_capacity() -> None:
    problem = SchedulingProblem(slots=0, tables=3, requests=[MeetingRequest("x", "E", "P")])

    result = schedule_meetings(problem)

    assert reasons(result) == {"x": ("capacity", {"slots": 0, "tables": 3})}
    assert result.method == "empty"


def test_schedule_meetings_duplicate_request_ids_are_rejected() -> None:
    requests = [MeetingRequest(1, "E", "P"), MeetingRequest(1, "E", "Q")]

    with pytest.raises(ValueError, match="unique"):
        schedule_meetings(SchedulingProblem(slots=2, tables=2, requests=requests))


# ------------------------------------------------------------------- unavailability


def test_schedule_meetings_puzzle_is_proven_by_the_exact_solver() -> None:
    result = schedule_meetings(PUZZLE)

    assert placed(result) == {2: (0, 0), 0: (2, 0)}
    assert reasons(result) == {1: ("displaced_by_priority", {"blocking": [0, 2]})}
    assert (result.method, result.optimal, result.upper_bound) == ("cp_sat", True, 2)
    assert result.stats.flow_bound == 3
    assert verify(result, PUZZLE) == []


def test_schedule_meetings_without_solver_time_reports_time_limit() -> None:
    problem = dataclasses.replace(PUZZLE, time_limit_seconds=0)

    result = schedule_meetings(problem)

    assert placed(result) == {2: (0, 0), 0: (2, 0)}
    assert reasons(result) == {1: ("time_limit", {"seconds": 0})}
    assert (result.method, result.optimal, result.upper_bound) == ("kempe", False, 3)


def test_schedule_meetings_org_on_both_sides_respects_its_limit() -> None:
    # O1 is an enterprise in one request and a provider in another: not bipartite.
    requests = [MeetingRequest(1, "O1", "O2", priority=0.2), MeetingRequest(2, "O0", "O1")]
    problem = SchedulingProblem(
        slots=3, tables=2, requests=requests, meeting_limit=1, pinned={1: (0, 0), 2: (2, 0)}
    )

    result = schedule_meetings(problem)

    assert placed(result) == {1: (0, 0)}
    assert reasons(result) == {2: ("org_limit", {"org": "O1", "limit": 1})}
    assert verify(result, problem) == []


def test_schedule_meetings_unavailability_is_honoured() -> None:
    requests = [MeetingRequest(k, "E", f"P{k}") for k in range(3)]
    problem = SchedulingProblem(
        slots=4, tables=2, requests=requests, unavailable={"E": {0, 2}, "P1": {3}}
    )

    result = schedule_meetings(problem)

    assert placed(result)[1] == (1, 0)
    assert sorted(a.slot for a in result.assignments) == [1, 3]
    assert [u.reason for u in result.unscheduled] == ["org_saturated"]
    assert verify(result, problem) == []


def objective(problem: SchedulingProblem, slots: dict) -> tuple[int, int, int, int]:
    """The documented preferences: (must-meets, meetings, pins kept in slot, rank sum)."""
    ranks = {p: k + 1 for k, p in enumerate(sorted({r.priority for r in problem.requests}))}
    chosen = [r for r in problem.requests if r.id in slots]
    return (
        sum(r.must_meet for r in chosen),
        len(chosen),
        sum(problem.pinned.get(r.id, (-1,))[0] == slots[r.id] for r in chosen),
        sum(ranks[r.priority] for r in chosen),
    )


def brute_force_objective(problem: SchedulingProblem) -> tuple[int, int, int, int]:
    """The best objective over every assignment of slots (or none) to the requests."""
    best = (0, 0, 0, 0)
    for choice in itertools.product(range(-1, problem.slots), repeat=len(problem.requests)):
        if any(n > problem.tables for s, n in Counter(choice).items() if s >= 0):
            continue
        busy: set[tuple[str, int]] = set()
        meetings: Counter[str] = Counter()
        ok = True
        for r, s in zip(problem.requests, choice, strict=True):
            if s < 0:
                continue
            for org in (r.enterprise, r.provider):
                ok &= (org, s) not in busy and s not in problem.unavailable.get(org, ())
                busy.add((org, s))
                meetings[org] += 1
        limit = problem.meeting_limit
        if ok and (limit is None or max(meetings.values(), default=0) <= limit):
            slots = {r.id: s for r, s in zip(problem.requests, choice, strict=True) if s >= 0}
            best = max(best, objective(problem, slots))
    return best


def random_tiny_problem(seed: int) -> SchedulingProblem:
    rng = random.Random(seed)
    slots = rng.randint(1, 3)
    requests = [
        MeetingRequest(
            k,
            f"E{rng.randrange(3)}",
            f"P{rng.randrange(3)}",
            priority=rng.choice([0.2, 0.5, 0.8]),
            must_meet=rng.random() < 0.15,
        )
        for k in range(rng.randint(1, 6))
    ]
    orgs = [f"E{k}" for k in range(3)] + [f"P{k}" for k in range(3)]
    unavailable = {
        org: set(rng.sample(range(slots), rng.randint(1, slots)))
        for org in orgs
        if rng.random() < 0.4
    }
    tables = rng.randint(1, 3)
    pinned = {
        r.id: (rng.randrange(slots), rng.randrange(tables)) for r in requests if rng.random() < 0.3
    }
    return SchedulingProblem(
        slots=slots,
        tables=tables,
        requests=requests,
        unavailable=unavailable,
        meeting_limit=rng.choice([None, None, 1, 2]),
        pinned=pinned,
        time_limit_seconds=5.0,
        workers=1,
    )


@pytest.mark.parametrize("seed", range(80))
def test_schedule_meetings_with_unavailability_matches_exhaustive_search(seed: int) -> None:
    problem = random_tiny_problem(seed)

    result = schedule_meetings(problem)

    slots = {a.request_id: a.slot for a in result.assignments}
    best = brute_force_objective(problem)
    assert (objective(problem, slots), result.optimal) == (best, True)
    assert verify(result, problem) == []
    if not any(r.must_meet for r in problem.requests):
        assert result.upper_bound == best[1]


# ----------------------------------------------------------------------- rescheduling


def test_schedule_meetings_reschedule_keeps_pinned_meetings_in_place() -> None:
    requests = [
        MeetingRequest(f"{e}-{p}", f"E{e}", f"P{p}", priority=(e + p) / 10)
        for e in range(4)
        for p in range(3)
    ]
    first = SchedulingProblem(slots=4, tables=3, requests=requests)
    published = placed(schedule_meetings(first))
    changed = SchedulingProblem(
        slots=4,
        tables=4,
        requests=[*requests, MeetingRequest("new", "E9", "P9")],
        unavailable={"E9": {0}},
        pinned=published,
    )

    result = schedule_meetings(changed)

    assert {k: v for k, v in placed(result).items() if k != "new"} == published
    assert (result.stats.kept_pinned, result.stats.moved_pinned) == (12, 0)
    assert result.scheduled_count == 13
    assert verify(result, changed) == []


def test_schedule_meetings_reschedule_moves_only_the_blocked_meeting() -> None:
    requests = [
        MeetingRequest(1, "A", "X"),
        MeetingRequest(2, "A", "Y"),
        MeetingRequest(3, "B", "X"),
    ]
    problem = SchedulingProblem(
        slots=3,
        tables=2,
        requests=requests,
        unavailable={"A": {0}},  # A can no longer come to slot 0, where meeting 1 was
        pinned={1: (0, 0), 2: (1, 0), 3: (1, 1)},
    )

    result = schedule_meetings(problem)

    assert placed(result) == {1: (2, 0), 2: (1, 0), 3: (1, 1)}
    stats = result.stats
    assert (stats.kept_pinned, stats.moved_pinned, stats.blocked_pinned) == (2, 1, 1)
    assert result.optimal is True


def test_schedule_meetings_pinned_meeting_keeps_its_table() -> None:
    requests = [MeetingRequest(k, f"E{k}", f"P{k}") for k in range(3)]
    problem = SchedulingProblem(slots=2, tables=3, requests=requests, pinned={0: (1, 2)})

    result = schedule_meetings(problem)

    assert placed(result)[0] == (1, 2)
    assert (result.stats.kept_pinned, result.stats.moved_pinned) == (1, 0)


def test_schedule_meetings_withdrawn_pinned_request_is_counted() -> None:
    problem = SchedulingProblem(
        slots=2,
        tables=1,
        requests=[MeetingRequest(1, "E", "P")],
        pinned={1: (1, 0), 99: (0, 0)},
    )

    result = schedule_meetings(problem)

    assert placed(result) == {1: (1, 0)}
    assert (result.stats.kept_pinned, result.stats.withdrawn_pinned) == (1, 1)


# --------------------------------------------------------------------------- verify


def valid_schedule() -> tuple[SchedulingProblem, SchedulingResult]:
    problem = SchedulingProblem(
        slots=2,
        tables=3,
        requests=FIRST_FIT_TRAP,
        unavailable={"b3": {0}},
        meeting_limit=2,
    )
    return problem, schedule_meetings(problem)


def with_assignments(result: SchedulingResult, *assignments: Assignment) -> SchedulingResult:
    return dataclasses.replace(result, assignments=assignments)


def test_verify_accepts_a_valid_schedule() -> None:
    problem, result = valid_schedule()

    assert verify(result, problem) == []


def test_verify_reports_an_injected_org_double_booking() -> None:
    problem, result = valid_schedule()
    # Request 4 (a1–b2) joins slot 0, where a1 meets b1 (request 1) and b2 meets a2 (3).
    injected = with_assignments(
        result, Assignment(1, 0, 0), Assignment(3, 0, 1), Assignment(4, 0, 2), Assignment(2, 1, 0)
    )

    assert codes(verify(injected, problem)) == ["org_double_booked", "org_double_booked"]


def test_verify_reports_an_injected_table_double_booking() -> None:
    problem, result = valid_schedule()
    injected = with_assignments(
        result, Assignment(1, 0, 0), Assignment(3, 0, 0), Assignment(2, 1, 0), Assignment(4, 1, 1)
    )

    assert codes(verify(injected, problem)) == ["table_double_booked"]


def test_verify_reports_unavailability_limits_and_missing_requests() -> None:
    problem, result = valid_schedule()
    injected = with_assignments(
        result, Assignment(2, 0, 0), Assignment(1, 1, 0), Assignment(3, 1, 1)
    )
    tight = dataclasses.replace(problem, meeting_limits={"a2": 1})

    assert codes(verify(injected, tight)) == ["unavailable", "limit_exceeded", "unaccounted"]


def test_verify_reports_unknown_reasons_and_out_of_range_places() -> None:
    problem, result = valid_schedule()
    injected = dataclasses.replace(
        result,
        assignments=(
            Assignment(1, 0, 0),
            Assignment(2, 1, 0),
            Assignment(3, 0, 1),
            Assignment(4, 1, 5),
        ),
        unscheduled=(Unscheduled(4, "bad_luck", {}),),
    )

    assert codes(verify(injected, problem)) == [
        "out_of_range",
        "scheduled_and_unscheduled",
        "unknown_reason",
    ]
