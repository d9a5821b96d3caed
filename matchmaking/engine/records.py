"""Plain records the engine takes and returns.

The Django side builds these from `Need` / `Solution` rows (or from a catalog
file); the engine never sees a model instance, so the same code runs in a test,
in a benchmark and on a Celery worker on another machine.

Money is in 万元 (10,000 CNY), as in the catalog format. Ids are the database
primary keys (ints): they are the deterministic tie-breaker of every ranking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Side = Literal["need", "solution"]


@dataclass(frozen=True, slots=True)
class NeedRecord:
    """A scenario need (场景需求) as the engine sees it."""

    id: int
    organization_id: int
    title: str
    summary: str = ""
    description: str = ""
    industry: str | None = None
    capabilities: tuple[str, ...] = ()
    # on_premise | cloud | hybrid | edge; None means "no requirement".
    deployment: str | None = None
    # ready | partial | none; None means unknown.
    data_readiness: str | None = None
    budget_min: int | None = None
    budget_max: int | None = None
    # The need accepts only a generative-AI service whose filing (备案) was verified
    # against the published lists: a hard constraint, like on-premise deployment.
    requires_filing: bool = False


@dataclass(frozen=True, slots=True)
class SolutionRecord:
    """A solution (解决方案) as the engine sees it."""

    id: int
    organization_id: int
    title: str
    summary: str = ""
    description: str = ""
    industries: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    deployment_modes: tuple[str, ...] = ()
    # poc | pilot | product; None means unknown.
    maturity: str | None = None
    price_min: int | None = None
    price_max: int | None = None
    # Its filing number was found in a published list under its own organization.
    filing_verified: bool = False


@dataclass(frozen=True, slots=True)
class Exclusion:
    """One side said "not interested" in a pair.

    `side="need"` hides the solution from that need's list only;
    `side="solution"` hides the need from that solution's list only. The list
    fills up with the next best, so an exclusion never shortens a list that
    had more candidates.
    """

    need_id: int
    solution_id: int
    side: Side


@dataclass(frozen=True, slots=True)
class ScoredPair:
    """A kept (need, solution) pair with everything a page needs to explain it.

    A pair kept by either side appears once; `rank_for_need` is its rank in the
    need's top-k (1 = best) and `rank_for_solution` its rank in the solution's
    top-k, each None when the pair is not in that side's list.
    """

    need_id: int
    solution_id: int
    score: float
    components: dict[str, float] = field(hash=False)
    terms: tuple[str, ...]
    rank_for_need: int | None = None
    rank_for_solution: int | None = None


@dataclass(frozen=True, slots=True)
class TopKEntry:
    """One entry of a stored top-k list, seen from the list's owner.

    `other_id` is the id on the other side (a solution id in a need's list, a
    need id in a solution's list). Lists are ordered by `sort_key`:
    score descending, then id ascending — the engine's tie-break everywhere.
    """

    other_id: int
    score: float

    @property
    def sort_key(self) -> tuple[float, int]:
        return (-self.score, self.other_id)
