"""The season planner: the four steps in order, from needs to dated events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

import numpy as np

from events.planning.clustering import Features, balanced_clusters, refine
from events.planning.domains import Group, allocate_units
from events.planning.model import (
    SEASON_FULL,
    Note,
    PlanningInput,
    SeasonPlan,
    UnplacedNeed,
    gettext_noop,
)
from events.planning.placement import place_events
from events.planning.providers import choose_providers, force_introductions
from events.planning.report import measure_quality
from events.planning.themes import name_themes


def plan_season(inp: PlanningInput) -> SeasonPlan:
    """Plan the season's events; deterministic for a given input and ``inp.seed``."""
    rng = np.random.default_rng(inp.seed)
    needs = list(inp.needs)
    notes: list[Note] = []
    unplaced: list[UnplacedNeed] = []
    size_cap = max((v.capacity for v in inp.venues), default=0)
    provider_cap = min(inp.max_providers_per_event, size_cap)

    n_events = min(inp.target_events, len(needs) // max(inp.min_needs_per_event, 1))
    n_events = max(n_events, 1 if needs else 0)
    if n_events < inp.target_events:
        notes.append(
            Note(
                gettext_noop(
                    "Planned %(planned)d events instead of the target %(target)d: "
                    "%(needs)d needs fill at most %(planned)d events of at least "
                    "%(minimum)d needs each."
                ),
                {
                    "planned": n_events,
                    "target": inp.target_events,
                    "needs": len(needs),
                    "minimum": inp.min_needs_per_event,
                },
            )
        )
    units = allocate_units(needs, n_events, inp.related_industries, notes) if needs else []

    features = Features(inp, needs)
    need_intros: dict[Hashable, list[Hashable]] = defaultdict(list)
    for intro in inp.introductions:
        if intro.need_id is not None:
            need_intros[intro.need_id].append(intro.provider_id)
    groups: list[Group] = []
    for unit in units:
        x = features.matrix(unit.needs)
        labels = balanced_clusters(x, unit.events, size_cap, rng)
        labels = refine(unit, labels, x, needs, need_intros, provider_cap, size_cap)
        for label in range(unit.events):
            members = [i for i, lab in zip(unit.needs, labels, strict=True) if lab == label]
            if members:
                groups.append(Group(unit, members))
        unplaced.extend(
            UnplacedNeed(
                needs[i].id,
                SEASON_FULL,
                f"{unit.events} event(s) of at most {size_cap} seats hold fewer needs than the domain has",
            )
            for i, lab in zip(unit.needs, labels, strict=True)
            if lab < 0
        )
    if any(u.reason == SEASON_FULL for u in unplaced):
        notes.append(
            Note(
                gettext_noop(
                    "%(left)d needs left out: %(events)d events of %(seats)d seats are too few; "
                    "raise the target or add a larger venue."
                ),
                {"left": len(unplaced), "events": n_events, "seats": size_cap},
            )
        )

    force_introductions(groups, needs, inp.introductions)
    for group in groups:
        group.providers = choose_providers(
            [needs[i] for i in group.needs], group.forced, provider_cap, inp.provider_depth
        )
    name_themes(groups, needs, features, inp)
    events = place_events(groups, needs, inp, notes, unplaced)
    quality = measure_quality(events, needs, inp.introductions, inp.target_events, unplaced)
    return SeasonPlan(events, unplaced, quality, notes)
