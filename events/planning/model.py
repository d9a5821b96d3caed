"""The planner's vocabulary: its input and output dataclasses, targets and codes.

Plain data, so that a worker can run the planner anywhere: the Celery task reads the
database into these, and the two helpers at the end turn the engine's output into them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

import scipy.sparse as sp

from events.calendar_cn import WorkCalendar

COVERAGE_TARGET = 0.95
BALANCE_TARGET = 1.5
COHESION_TARGET = 0.9
TOP_K = 10  # a need counts as covered when COVER_MIN of its TOP_K best providers are invited
COVER_MIN = 3
MIXED = "mixed"
MIXED_NAMES = ("跨行业", "Cross-industry")
GENERAL_THEME = ("综合", "General")


def gettext_noop(message: str) -> str:
    """Marks a note's wording for the translators (makemessages looks for this name);
    the planner imports no Django, the admin translates the note when it shows it."""
    return message


class Note(NamedTuple):
    """A remark for the office: its wording (an English msgid with %(name)s fields) and
    the figures that fill it. The admin words it in the reader's language
    (events/selectors/plan_report.py); values named ``*_industries`` are industry codes,
    shown by their names."""

    message: str
    values: Mapping[str, object] = {}


# Unplaced reasons (stable codes for the Django side to translate and filter on).
SEASON_FULL = "season_full"
NO_DATE = "no_date"


@dataclass(frozen=True)
class ProviderMatch:
    """One matched provider organization of a need, with the engine's score in [0, 1]."""

    provider_id: Hashable
    score: float


@dataclass(frozen=True)
class PlanNeed:
    """An approved, open need. ``matches`` are ranked best first, one entry per provider org."""

    id: Hashable
    organization_id: Hashable
    industry: str
    capabilities: tuple[str, ...] = ()
    matches: tuple[ProviderMatch, ...] = ()
    vector_row: int | None = None  # row of PlanningInput.need_vectors, when available


@dataclass(frozen=True)
class Introduction:
    """An accepted introduction (double opt-in); ``need_id`` when it was about one need."""

    enterprise_id: Hashable
    provider_id: Hashable
    need_id: Hashable | None = None


@dataclass(frozen=True)
class Venue:
    """A room: ``capacity`` is tables per side, i.e. organizations of each side it seats."""

    id: Hashable
    name: str
    capacity: int
    unavailable: frozenset[date] = frozenset()


@dataclass
class PlanningInput:
    """Everything the planner needs; all of it plain data so a worker can run it anywhere."""

    needs: Sequence[PlanNeed]
    start: date
    end: date
    venues: Sequence[Venue]
    calendar: WorkCalendar
    introductions: Sequence[Introduction] = ()
    target_events: int = 50
    weekly_cap: int = 2  # events per ISO week
    daily_cap: int = 1  # events per day across venues: the office staffs one event a day
    blackout_dates: Collection[date] = frozenset()
    max_providers_per_event: int = 40  # introduced providers count against it
    provider_depth: int = 5  # spare provider seats serve needs up to this many top providers
    min_needs_per_event: int = 6  # fewer needs than target × this plan fewer events
    need_vectors: sp.csr_matrix | None = None  # the engine's TF-IDF rows (PlanNeed.vector_row)
    feature_names: Sequence[str] | None = None  # column names of need_vectors, for theme terms
    industry_names: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # code → (zh, en)
    capability_names: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    related_industries: Mapping[str, Collection[str]] = field(default_factory=dict)
    seed: int = 0


@dataclass(frozen=True)
class PlannedEvent:
    """One dated event; ``key`` is stable across re-runs of the same input (upsert by it)."""

    key: str
    date: date
    venue_id: Hashable
    domain: str  # industry code, "a+b" for merged industries, or "mixed"
    industries: tuple[str, ...]
    theme_zh: str
    theme_en: str
    theme_capability: str | None
    title_zh: str
    title_en: str
    need_ids: tuple[Hashable, ...]
    enterprise_ids: tuple[Hashable, ...]
    provider_ids: tuple[Hashable, ...]
    introduced_provider_ids: tuple[Hashable, ...]  # invited because of an introduction


@dataclass(frozen=True)
class UnplacedNeed:
    """A need that is in no event, and why: admins see these next to the plan."""

    need_id: Hashable
    reason: str  # SEASON_FULL or NO_DATE
    detail: str


@dataclass(frozen=True)
class PlanQuality:
    """The product owner's acceptance figures for a plan (see the *_TARGET constants)."""

    coverage: float
    balance: float
    intro_cohesion: float
    needs_total: int
    needs_placed: int
    needs_covered: int
    needs_uncoverable: int  # fewer than COVER_MIN matched providers: no event can cover them
    events_target: int
    events_planned: int
    largest_event: int
    smallest_event: int
    introductions_total: int
    introductions_cohesive: int
    providers_invited: int
    invitations: int

    @property
    def meets_targets(self) -> bool:
        return (
            self.coverage >= COVERAGE_TARGET
            and self.balance <= BALANCE_TARGET
            and self.intro_cohesion >= COHESION_TARGET
        )


@dataclass
class SeasonPlan:
    """The planner's answer: events by date, needs left out, quality, and notes for admins."""

    events: list[PlannedEvent]
    unplaced: list[UnplacedNeed]
    quality: PlanQuality
    notes: list[Note]


def collapse_matches(
    rows: Sequence[tuple[Hashable, float]], limit: int | None = None
) -> tuple[ProviderMatch, ...]:
    """Turn solution-level matches ``(provider org, score)`` into ranked distinct providers.

    The engine ranks solutions, but a provider with three good solutions is still one
    organization at one table; its best score stands for it.
    """
    best: dict[Hashable, float] = {}
    for provider_id, score in rows:
        if score > best.get(provider_id, -math.inf):
            best[provider_id] = score
    ranked = sorted(best.items(), key=lambda item: -item[1])  # stable: ties keep input order
    return tuple(ProviderMatch(p, s) for p, s in ranked[:limit])


def related_from_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Turn the engine's symmetric related-industry pairs into ``related_industries``."""
    related: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        related[a].add(b)
        related[b].add(a)
    return {code: frozenset(partners) for code, partners in related.items()}
