"""The plan's quality: the product owner's acceptance figures, measured and rendered."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from events.planning.model import (
    BALANCE_TARGET,
    COHESION_TARGET,
    COVER_MIN,
    COVERAGE_TARGET,
    TOP_K,
    Introduction,
    PlannedEvent,
    PlanNeed,
    PlanQuality,
    UnplacedNeed,
)


def format_quality(quality: PlanQuality) -> str:
    """Render the plan's quality for the ``plan_events`` command and the admin message."""

    def mark(ok: bool) -> str:
        return "ok" if ok else "BELOW TARGET"

    q = quality
    lines = [
        (
            f"coverage        {q.coverage:.3f}  ({q.needs_covered} of {q.needs_total} needs have "
            f"≥{COVER_MIN} of their top-{TOP_K} providers invited; target ≥ {COVERAGE_TARGET}) "
            f"{mark(q.coverage >= COVERAGE_TARGET)}"
        ),
        (
            f"balance         {q.balance:.2f}  (largest {q.largest_event} ÷ smallest "
            f"{q.smallest_event} needs per event; target ≤ {BALANCE_TARGET}) "
            f"{mark(q.balance <= BALANCE_TARGET)}"
        ),
        (
            f"intro cohesion  {q.intro_cohesion:.3f}  ({q.introductions_cohesive} of "
            f"{q.introductions_total} accepted introductions share an event; target ≥ "
            f"{COHESION_TARGET}) {mark(q.intro_cohesion >= COHESION_TARGET)}"
        ),
        (
            f"events {q.events_planned} (target {q.events_target}); needs placed "
            f"{q.needs_placed} of {q.needs_total} ({q.needs_uncoverable} with fewer than "
            f"{COVER_MIN} matched providers); providers invited {q.providers_invited} "
            f"({q.invitations} invitations)"
        ),
    ]
    return "\n".join(lines)


def measure_quality(
    events: list[PlannedEvent],
    needs: list[PlanNeed],
    intros: Sequence[Introduction],
    target: int,
    unplaced: list[UnplacedNeed],
) -> PlanQuality:
    """The product owner's three numbers, computed from the plan as the admins will see it."""
    need_by_id = {n.id: n for n in needs}
    covered = 0
    event_of_need: dict[Hashable, PlannedEvent] = {}
    for event in events:
        invited = set(event.provider_ids)
        for need_id in event.need_ids:
            event_of_need[need_id] = event
            top = need_by_id[need_id].matches[:TOP_K]
            covered += sum(m.provider_id in invited for m in top) >= COVER_MIN
    cohesive = 0
    for intro in intros:
        if intro.need_id is not None and intro.need_id in need_by_id:
            event = event_of_need.get(intro.need_id)
            cohesive += event is not None and intro.provider_id in event.provider_ids
        else:
            cohesive += any(
                intro.enterprise_id in e.enterprise_ids and intro.provider_id in e.provider_ids
                for e in events
            )
    sizes = [len(e.need_ids) for e in events]
    return PlanQuality(
        coverage=covered / len(needs) if needs else 1.0,
        balance=max(sizes) / min(sizes) if sizes else 1.0,
        intro_cohesion=cohesive / len(intros) if intros else 1.0,
        needs_total=len(needs),
        needs_placed=len(needs) - len(unplaced),
        needs_covered=covered,
        needs_uncoverable=sum(len(n.matches[:TOP_K]) < COVER_MIN for n in needs),
        events_target=target,
        events_planned=len(events),
        largest_event=max(sizes, default=0),
        smallest_event=min(sizes, default=0),
        introductions_total=len(intros),
        introductions_cohesive=cohesive,
        providers_invited=len({p for e in events for p in e.provider_ids}),
        invitations=sum(len(e.provider_ids) for e in events),
    )
