"""Season planner: turns approved needs and their matches into ~50 dated docking events.

Pure code (no Django): the Celery task ``events.tasks.plan_events`` reads the database
into the dataclasses of ``model``, calls :func:`plan_season` and writes the result back,
and the benchmark calls it on generated data. The steps, each a module of this package:

1. **Domains** (``domains``) — needs are grouped by industry. Events are shared out
   across domains so that event sizes stay balanced (largest ÷ smallest ≤ 1.5); a domain
   too small to fill a balanced event is merged with a related industry, or into a
   cross-industry session. When there are too few needs for the target, fewer events are
   planned (and a note says so).
2. **Themes** (``clustering``, ``themes``) — a domain with several events is split by
   balanced spherical k-means on what the matching engine produced: the need's TF-IDF
   row, its matched providers and its capabilities. Cluster sizes are fixed (floor/ceil
   of the domain's share) by solving each assignment step as a min-cost flow. Then,
   alternately, providers are chosen per event and needs are re-seated in the sibling
   event that serves them best, while that raises coverage. Each event is named after
   its most distinctive capability.
3. **Providers** (``providers``) — per event, greedy marginal-gain set multicover:
   repeatedly invite the provider that brings the most needs closer to "3 of my top-10
   invited", favouring needs nearest completion, then improve by swaps; seats left over
   deepen needs' choice (up to ``provider_depth``). Both sides of accepted introductions
   are always invited, and their seats count against the cap.
4. **Dates** (``placement``) — events are spread evenly over the window and placed on
   working days by a min-cost max-flow that honours blackout dates, the weekly cap, a
   daily cap, venue capacity and one event per venue per day.

``model`` holds the input and output dataclasses, ``planner`` runs the steps in order
(:func:`plan_season`) and ``report`` measures the plan. Callers import from this package.
"""

from events.planning.model import (
    BALANCE_TARGET,
    COHESION_TARGET,
    COVER_MIN,
    COVERAGE_TARGET,
    GENERAL_THEME,
    MIXED,
    MIXED_NAMES,
    NO_DATE,
    SEASON_FULL,
    TOP_K,
    Introduction,
    Note,
    PlannedEvent,
    PlanNeed,
    PlanningInput,
    PlanQuality,
    ProviderMatch,
    SeasonPlan,
    UnplacedNeed,
    Venue,
    collapse_matches,
    gettext_noop,
    related_from_pairs,
)
from events.planning.planner import plan_season
from events.planning.report import format_quality

__all__ = [
    "BALANCE_TARGET",
    "COHESION_TARGET",
    "COVERAGE_TARGET",
    "COVER_MIN",
    "GENERAL_THEME",
    "MIXED",
    "MIXED_NAMES",
    "NO_DATE",
    "SEASON_FULL",
    "TOP_K",
    "Introduction",
    "Note",
    "PlanNeed",
    "PlanQuality",
    "PlannedEvent",
    "PlanningInput",
    "ProviderMatch",
    "SeasonPlan",
    "UnplacedNeed",
    "Venue",
    "collapse_matches",
    "format_quality",
    "gettext_noop",
    "plan_season",
    "related_from_pairs",
]
