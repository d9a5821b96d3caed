"""The scheduler's vocabulary: requests, problems, results, reason and method codes.

Plain, JSON-friendly data: the Django side builds a ``SchedulingProblem`` from the
database and turns a ``SchedulingResult`` back into meetings; nothing here computes.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

OrgId = Hashable
RequestId = Hashable

REASON_SAME_ORGANIZATION = "same_organization"
REASON_CAPACITY = "capacity"
REASON_NO_COMMON_FREE_SLOT = "no_common_free_slot"
REASON_ORG_LIMIT = "org_limit"
REASON_ORG_SATURATED = "org_saturated"
REASON_DISPLACED = "displaced_by_priority"
REASON_TIME_LIMIT = "time_limit"
REASONS = frozenset(
    {
        REASON_SAME_ORGANIZATION,
        REASON_CAPACITY,
        REASON_NO_COMMON_FREE_SLOT,
        REASON_ORG_LIMIT,
        REASON_ORG_SATURATED,
        REASON_DISPLACED,
        REASON_TIME_LIMIT,
    }
)

METHOD_EMPTY = "empty"
METHOD_KONIG = "konig"
METHOD_KEMPE = "kempe"
METHOD_CP_SAT = "cp_sat"
METHOD_GREEDY = "greedy_first_fit"

# verify() message codes that are double bookings (what the benchmark counts).
DOUBLE_BOOKING_CODES = ("org_double_booked", "table_double_booked")


@dataclass(frozen=True)
class MeetingRequest:
    """An accepted request for a 1:1 meeting between an enterprise and a provider."""

    id: RequestId
    enterprise: OrgId
    provider: OrgId
    priority: float = 0.0  # higher is scheduled first when not everything fits
    must_meet: bool = False  # set by the organizers; beats any number of other meetings


@dataclass(frozen=True)
class SchedulingProblem:
    """Everything the scheduler needs about one event; plain data, JSON-friendly."""

    slots: int
    tables: int
    requests: Sequence[MeetingRequest]
    unavailable: Mapping[OrgId, Collection[int]] = field(default_factory=dict)  # slot indices
    meeting_limit: int | None = None  # applies to every organization
    meeting_limits: Mapping[OrgId, int] = field(default_factory=dict)  # overrides per org
    pinned: Mapping[RequestId, tuple[int, int]] = field(default_factory=dict)  # published
    time_limit_seconds: float = 10.0
    workers: int = 0  # CP-SAT search workers; 0 lets the solver decide
    seed: int = 0


@dataclass(frozen=True)
class Assignment:
    request_id: RequestId
    slot: int
    table: int


@dataclass(frozen=True)
class Unscheduled:
    """A request left out, with a reason code and the parameters to explain it."""

    request_id: RequestId
    reason: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class SchedulingStats:
    runtime_seconds: float
    moved_pinned: int = 0  # pinned meetings now at another slot or table
    kept_pinned: int = 0
    unscheduled_pinned: int = 0  # pinned meetings that could not be scheduled at all
    withdrawn_pinned: int = 0  # pins whose request is no longer in the input
    blocked_pinned: int = 0  # pins whose slot a side can no longer attend: they must move
    flow_bound: int = 0  # the cheap independent (max-flow) bound
    solver_bound: int | None = None  # the bound CP-SAT proved, when it ran
    solver_status: str | None = None
    heuristic_scheduled: int = 0  # meetings in the start solution handed to CP-SAT


@dataclass(frozen=True)
class SchedulingResult:
    """A schedule and its account.

    ``upper_bound``: no schedule that holds at least as many must-meet meetings as this
    one holds more than ``upper_bound`` meetings (without must-meet requests: no
    schedule at all). ``optimal``: proven best under the lexicographic preferences.
    """

    assignments: tuple[Assignment, ...]
    unscheduled: tuple[Unscheduled, ...]
    upper_bound: int
    optimal: bool
    method: str
    stats: SchedulingStats

    @property
    def scheduled_count(self) -> int:
        return len(self.assignments)
