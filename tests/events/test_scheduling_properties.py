"""Properties of the meeting scheduler on random small instances (hypothesis)."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.scheduling import MeetingRequest, SchedulingProblem, schedule_meetings, verify

ENTERPRISES = [f"E{k}" for k in range(5)]
PROVIDERS = [f"P{k}" for k in range(5)]
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

requests_strategy = st.lists(
    st.tuples(
        st.sampled_from(ENTERPRISES),
        st.sampled_from(PROVIDERS),
        st.sampled_from([0.1, 0.5, 0.9]),
        st.booleans(),
    ),
    max_size=14,
).map(
    lambda rows: [
        MeetingRequest(k, e, p, priority=prio, must_meet=must)
        for k, (e, p, prio, must) in enumerate(rows)
    ]
)


@st.composite
def problems(draw: st.DrawFn, *, unavailability: bool) -> SchedulingProblem:
    slots = draw(st.integers(1, 5))
    unavailable = {}
    if unavailability:
        unavailable = draw(
            st.dictionaries(
                st.sampled_from(ENTERPRISES + PROVIDERS),
                st.frozensets(st.integers(0, slots - 1), max_size=slots),
                max_size=4,
            )
        )
    requests = draw(requests_strategy)
    pinned = draw(
        st.dictionaries(
            st.sampled_from([r.id for r in requests] or [0]),
            st.tuples(st.integers(0, slots - 1), st.integers(0, 3)),
            max_size=3,
        )
    )
    return SchedulingProblem(
        slots=slots,
        tables=draw(st.integers(1, 4)),
        requests=requests,
        unavailable=unavailable,
        meeting_limit=draw(st.none() | st.integers(0, 4)),
        pinned=pinned,
        time_limit_seconds=2.0,
        workers=1,
    )


@PROPERTY_SETTINGS
@given(problem=problems(unavailability=True))
def test_schedule_meetings_random_instance_passes_verify(problem: SchedulingProblem) -> None:
    result = schedule_meetings(problem)

    assert verify(result, problem) == []
    assert result.scheduled_count <= result.upper_bound <= result.stats.flow_bound


@PROPERTY_SETTINGS
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 5), st.sampled_from([0.1, 0.9])),
        max_size=14,
    ),
    slots=st.integers(1, 4),
    tables=st.integers(1, 4),
    limit=st.none() | st.integers(0, 3),
)
def test_schedule_meetings_orgs_on_both_sides_pass_verify(
    rows: list[tuple[int, int, float]], slots: int, tables: int, limit: int | None
) -> None:
    # One pool of organizations: an org may ask in one request and be asked in another.
    requests = [MeetingRequest(k, f"O{e}", f"O{p}", priority=w) for k, (e, p, w) in enumerate(rows)]
    problem = SchedulingProblem(
        slots=slots, tables=tables, requests=requests, meeting_limit=limit, workers=1
    )

    result = schedule_meetings(problem)

    assert verify(result, problem) == []


@PROPERTY_SETTINGS
@given(
    requests=requests_strategy,
    extra_slots=st.integers(0, 2),
    extra_tables=st.integers(0, 2),
)
def test_schedule_meetings_konig_conditions_schedule_everything(
    requests: list[MeetingRequest], extra_slots: int, extra_tables: int
) -> None:
    degree = Counter(o for r in requests for o in (r.enterprise, r.provider))
    slots = max(degree.values(), default=0) + extra_slots or 1
    tables = -(-len(requests) // slots) + extra_tables or 1  # ceil(E / slots) or more
    problem = SchedulingProblem(slots=slots, tables=tables, requests=requests)

    result = schedule_meetings(problem)

    assert verify(result, problem) == []
    assert (result.scheduled_count, result.unscheduled) == (len(requests), ())
    assert (result.method, result.optimal) == ("konig" if requests else "empty", True)
