"""Step 4, dates: place the events on working days and venues by one min-cost max-flow."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import numpy as np
from ortools.graph.python import min_cost_flow

from events.planning.domains import Group
from events.planning.model import (
    MIXED,
    MIXED_NAMES,
    NO_DATE,
    Note,
    PlannedEvent,
    PlanNeed,
    PlanningInput,
    UnplacedNeed,
    Venue,
    gettext_noop,
)


def place_events(
    groups: list[Group],
    needs: list[PlanNeed],
    inp: PlanningInput,
    notes: list[Note],
    unplaced: list[UnplacedNeed],
) -> list[PlannedEvent]:
    """Date the events: spread evenly, on open working days, as one min-cost max-flow."""
    blackout = set(inp.blackout_dates)
    days = [d for d in inp.calendar.working_days(inp.start, inp.end) if d not in blackout]
    order = _spread_order(groups)
    span = (inp.end - inp.start).days + 1
    for position, g in enumerate(order):
        g.ideal = inp.start + timedelta(days=int((position + 0.5) * span / max(len(order), 1)))
    seats = [max(len({needs[i].organization_id for i in g.needs}), len(g.providers)) for g in order]
    slots = [(d, v) for d in days for v in inp.venues if d not in v.unavailable]
    day_index = {d: j for j, d in enumerate(days)}
    weeks = sorted({d.isocalendar()[:2] for d in days})
    week_index = {w: j for j, w in enumerate(weeks)}
    n_e, n_s, n_d = len(order), len(slots), len(days)
    event_node, slot_node = 2, 2 + n_e
    day_node = slot_node + n_s
    week_node = day_node + n_d
    source, sink = 0, 1
    # Arcs event→slot carry the cost: 10 per day away from the ideal date, plus up to 9
    # for seating a small event in a big room (keep big rooms for big events).
    fits = [
        (e, s, 10 * abs((d - g.ideal).days) + (v.capacity - seats[e]) * 10 // (v.capacity + 1))
        for e, g in enumerate(order)
        for s, (d, v) in enumerate(slots)
        if v.capacity >= seats[e]
    ]
    fit = np.array(fits, dtype=np.int64).reshape(-1, 3)
    tails = np.concatenate(
        [
            np.zeros(n_e),
            event_node + fit[:, 0],
            slot_node + np.arange(n_s),
            day_node + np.arange(n_d),
            week_node + np.arange(len(weeks)),
        ]
    ).astype(np.int64)
    heads = np.concatenate(
        [
            event_node + np.arange(n_e),
            slot_node + fit[:, 1],
            [day_node + day_index[d] for d, _ in slots],
            [week_node + week_index[d.isocalendar()[:2]] for d in days],
            np.full(len(weeks), sink),
        ]
    ).astype(np.int64)
    caps = np.concatenate(
        [
            np.ones(n_e + len(fit) + n_s),
            np.full(n_d, inp.daily_cap),
            np.full(len(weeks), inp.weekly_cap),
        ]
    ).astype(np.int64)
    costs = np.concatenate([np.zeros(n_e), fit[:, 2], np.zeros(n_s + n_d + len(weeks))]).astype(
        np.int64
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    flow.set_node_supply(source, n_e)
    flow.set_node_supply(sink, -n_e)
    flow.solve_max_flow_with_min_cost()
    used = flow.flows(arcs[n_e : n_e + len(fit)]) > 0
    placed = {int(e): slots[int(s)] for e, s, _ in fit[used]}
    numbering: Counter[str] = Counter()
    events = [
        _event(order[e], *placed[e], numbering, needs, inp)
        for e in sorted(placed, key=lambda e: (placed[e][0], e))
    ]
    missing = [order[e] for e in range(n_e) if e not in placed]
    for g in missing:
        unplaced.extend(
            UnplacedNeed(
                needs[i].id, NO_DATE, "no working day with a free venue left in the window"
            )
            for i in g.needs
        )
    if missing:
        notes.append(
            Note(
                gettext_noop(
                    "%(missing)d events could not be dated: the season has too few open "
                    "working days with at most %(cap)d events a week (or no venue seats them)."
                ),
                {"missing": len(missing), "cap": inp.weekly_cap},
            )
        )
    return events


def _spread_order(groups: list[Group]) -> list[Group]:
    """Interleave domains so each domain's events are spread across the whole window."""
    units: dict[int, list[Group]] = {}
    for g in groups:
        units.setdefault(id(g.unit), []).append(g)
    keyed = []
    for u, unit_groups in enumerate(units.values()):
        phase = (u * 0.618034) % 1.0  # golden-ratio offsets keep single-event domains apart
        keyed.extend(((j + phase) / len(unit_groups), u, j, g) for j, g in enumerate(unit_groups))
    return [g for *_, g in sorted(keyed, key=lambda item: item[:3])]


def _event(
    g: Group,
    day: date,
    venue: Venue,
    numbering: Counter[str],
    needs: list[PlanNeed],
    inp: PlanningInput,
) -> PlannedEvent:
    industries = [c for c in g.unit.industries if c != MIXED]
    mixed = len(industries) > 3
    domain = MIXED if mixed else "+".join(industries)
    if mixed:
        domain_zh, domain_en = MIXED_NAMES
    else:
        names = [inp.industry_names.get(c, (c, c)) for c in industries]
        domain_zh, domain_en = "·".join(n[0] for n in names), " & ".join(n[1] for n in names)
    numbering[domain] += 1
    zh, en, capability = g.theme
    return PlannedEvent(
        key=f"{domain}-{numbering[domain]:02d}",
        date=day,
        venue_id=venue.id,
        domain=domain,
        industries=tuple(industries),
        theme_zh=zh,
        theme_en=en,
        theme_capability=capability,
        title_zh=f"大模型+{domain_zh} 供需对接会 · {zh}",
        title_en=f"AI+ {domain_en} Matchmaking · {en}",
        need_ids=tuple(needs[i].id for i in g.needs),
        enterprise_ids=tuple(dict.fromkeys(needs[i].organization_id for i in g.needs)),
        provider_ids=tuple(g.providers),
        introduced_provider_ids=tuple(g.forced),
    )
