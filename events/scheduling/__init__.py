"""The 1:1 meeting scheduler of a docking event (对接活动): pure Python, no Django.

An event has ``slots`` time slots and ``tables`` tables. Every accepted meeting request
pairs an enterprise with an AI provider; the scheduler gives as many as possible a
(slot, table) so that no organization is in two places at once, no table holds two
meetings, declared unavailability is honoured and per-organization limits hold.

Why it is built this way:

* Without unavailability the problem is bipartite edge colouring, and König's theorem
  says Δ colours (slots) suffice. A first-fit greedy can need 2Δ−1, so the colouring
  is done with alternating-path (Kempe chain) recolouring, then the colour classes are
  balanced (equitable edge colouring) so that no slot needs more than
  ceil(meetings / slots) tables. When not everything fits, a min-cost flow picks the
  best schedulable subset first (an org cannot meet more often than it has slots, the
  event cannot hold more than slots × tables), which König then colours exactly.
* With unavailability (or pinned meetings to keep in place) the problem is NP-hard in
  general. A heuristic builds a schedule first: pins back in place, then Kempe-chain
  insertion, then bounded ejection chains (evict what is in the way, re-insert it
  elsewhere). When its objective reaches the flow relaxation's, it is optimal; on the
  benchmark it nearly always does. Otherwise OR-Tools CP-SAT starts from it (a hint)
  and solves the remaining objective levels one by one within the time limit, proving
  a bound as it goes.

Preferences are lexicographic: most must-meet meetings first, then most meetings, then
most pinned (already published) meetings kept at their slot, then the highest sum of
priority ranks (distinct priorities numbered 1, 2, … from the lowest; so whenever one
meeting must give way to another, the higher priority stays). Every request that stays unscheduled carries a machine-readable reason
with parameters the UI can translate. ``verify`` re-checks any result independently.

The modules, by purpose: ``model`` (requests, problems, results, reason codes),
``instance`` (the problem indexed by integers, the objective), ``bounds`` (flow
relaxations), ``colouring`` (König and Kempe chains), ``exact`` (CP-SAT), ``explain``
(reasons for unscheduled requests), ``results``, ``solve`` (:func:`schedule_meetings`),
``greedy`` (the benchmark's baseline) and ``verify``. Callers import from this package.
"""

from events.scheduling.greedy import greedy_first_fit
from events.scheduling.model import (
    DOUBLE_BOOKING_CODES,
    METHOD_CP_SAT,
    METHOD_EMPTY,
    METHOD_GREEDY,
    METHOD_KEMPE,
    METHOD_KONIG,
    REASON_CAPACITY,
    REASON_DISPLACED,
    REASON_NO_COMMON_FREE_SLOT,
    REASON_ORG_LIMIT,
    REASON_ORG_SATURATED,
    REASON_SAME_ORGANIZATION,
    REASON_TIME_LIMIT,
    REASONS,
    Assignment,
    MeetingRequest,
    OrgId,
    RequestId,
    SchedulingProblem,
    SchedulingResult,
    SchedulingStats,
    Unscheduled,
)
from events.scheduling.solve import schedule_meetings
from events.scheduling.verify import verify

__all__ = [
    "DOUBLE_BOOKING_CODES",
    "METHOD_CP_SAT",
    "METHOD_EMPTY",
    "METHOD_GREEDY",
    "METHOD_KEMPE",
    "METHOD_KONIG",
    "REASONS",
    "REASON_CAPACITY",
    "REASON_DISPLACED",
    "REASON_NO_COMMON_FREE_SLOT",
    "REASON_ORG_LIMIT",
    "REASON_ORG_SATURATED",
    "REASON_SAME_ORGANIZATION",
    "REASON_TIME_LIMIT",
    "Assignment",
    "MeetingRequest",
    "OrgId",
    "RequestId",
    "SchedulingProblem",
    "SchedulingResult",
    "SchedulingStats",
    "Unscheduled",
    "greedy_first_fit",
    "schedule_meetings",
    "verify",
]
