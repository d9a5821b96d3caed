"""Step 2b, themes: name each event after its most distinctive capability."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from events.planning.clustering import Features
from events.planning.domains import Group
from events.planning.model import GENERAL_THEME, PlanNeed, PlanningInput


def name_themes(
    groups: list[Group], needs: list[PlanNeed], features: Features, inp: PlanningInput
) -> None:
    """Name each event after its most distinctive capability; disambiguate by top terms."""
    by_unit: dict[int, list[Group]] = defaultdict(list)
    for group in groups:
        by_unit[id(group.unit)].append(group)
    for unit_groups in by_unit.values():
        unit_needs = [i for g in unit_groups for i in g.needs]
        unit_share = _capability_share(unit_needs, needs)
        for group in unit_groups:
            share = _capability_share(group.needs, needs)
            ranked = sorted(share, key=lambda c: -share[c] * share[c] / unit_share[c])
            if ranked and share[ranked[0]] >= 0.34:
                code = ranked[0]
                zh, en = inp.capability_names.get(code, (code, code))
                group.theme = (zh, en, code)
            else:
                group.theme = (*GENERAL_THEME, None)
        seen: dict[tuple[str, str], list[Group]] = defaultdict(list)
        for group in unit_groups:
            seen[group.theme[:2]].append(group)
        for (zh, en), same in seen.items():
            if len(same) == 1:
                same[0].theme = (f"{zh}专场", f"{en} session", same[0].theme[2])
                continue
            terms = _distinct_terms(same, unit_needs, features, inp.feature_names)
            used: set[str] = set()
            for n, group in enumerate(same, start=1):
                term = next((t for t in terms[n - 1] if t not in used and t not in zh), None)
                used.add(term or "")
                group.theme = (
                    f"{zh}·{term}专场" if term else f"{zh}专场（{_roman(n)}）",
                    f"{en} · {term} session"
                    if term and term.isascii()
                    else f"{en} session {_roman(n)}",
                    group.theme[2],
                )


def _capability_share(members: list[int], needs: list[PlanNeed]) -> dict[str, float]:
    counts = Counter(c for i in members for c in dict.fromkeys(needs[i].capabilities))
    return {
        c: counts[c] / max(len(members), 1) for c in sorted(counts, key=lambda c: (-counts[c], c))
    }


def _distinct_terms(
    same: list[Group], unit_needs: list[int], features: Features, names: Sequence[str] | None
) -> list[list[str]]:
    if features.text is None or not names:
        return [[] for _ in same]
    unit_mean = np.asarray(features.text[unit_needs].mean(axis=0)).ravel()
    out = []
    for group in same:
        lift = np.asarray(features.text[group.needs].mean(axis=0)).ravel() - unit_mean
        ranked = np.argsort(-lift, kind="stable")
        # Character n-grams shorter than two characters name nothing.
        out.append([names[j] for j in ranked[:8] if lift[j] > 0 and len(names[j].strip()) >= 2])
    return out


def _roman(n: int) -> str:
    return (
        ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][n - 1] if n <= 10 else str(n)
    )
