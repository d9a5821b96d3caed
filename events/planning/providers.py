"""Step 3, providers: choose whom each event invites (greedy set multicover, then swaps)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence

import numpy as np
import scipy.sparse as sp

from events.planning.domains import Group
from events.planning.model import COVER_MIN, TOP_K, Introduction, PlanNeed

# Greedy weight of a need with 0, 1, 2 providers invited: completing a need is worth most.
_PROGRESS_WEIGHT = np.array([1.0, 2.0, 4.0])


def force_introductions(
    groups: list[Group], needs: list[PlanNeed], intros: Sequence[Introduction]
) -> None:
    """Invite the provider of every accepted introduction to the event holding its need.

    Without a need, to the enterprise's event where that provider ranks best.
    """
    group_of: dict[Hashable, Group] = {}
    by_enterprise: dict[Hashable, list[tuple[Group, int]]] = defaultdict(list)
    for group in groups:
        for i in group.needs:
            group_of[needs[i].id] = group
            by_enterprise[needs[i].organization_id].append((group, i))
    for intro in intros:
        group = group_of.get(intro.need_id) if intro.need_id is not None else None
        if group is None:
            options = by_enterprise.get(intro.enterprise_id)
            if not options:
                continue
            group = min(options, key=lambda gi: _rank(needs[gi[1]], intro.provider_id))[0]
        if intro.provider_id not in group.forced:
            group.forced.append(intro.provider_id)


def _rank(need: PlanNeed, provider_id: Hashable) -> int:
    return next(
        (r for r, m in enumerate(need.matches) if m.provider_id == provider_id), len(need.matches)
    )


def choose_providers(
    event_needs: list[PlanNeed], forced: list[Hashable], cap: int, depth: int = COVER_MIN
) -> list[Hashable]:
    """Greedy marginal-gain set multicover, then swaps: maximise needs with ≥3 top-10 invited.

    Each step invites the provider whose invitation does most for the needs not yet
    covered, weighting a need by how close it is to covered (1, 2, 4 for 0, 1, 2 invited) so
    that the cap is spent on completing needs rather than on spreading thin. Ties go to the
    provider with the higher total match score. Seats left after that go, by the same
    greedy, to needs with fewer than ``depth`` of their top providers invited: a need
    whose third provider cancels still has meetings.
    """
    index: dict[Hashable, int] = {}
    rows, cols, scores = [], [], []
    for r, need in enumerate(event_needs):
        for m in need.matches[:TOP_K]:
            rows.append(r)
            cols.append(index.setdefault(m.provider_id, len(index)))
            scores.append(m.score)
    chosen = list(dict.fromkeys(forced))
    if not index:
        return chosen
    ids = list(index)
    by_provider = sp.csr_matrix(
        (np.ones(len(rows)), (cols, rows)), shape=(len(ids), len(event_needs))
    )
    score_sum = np.asarray(
        sp.csr_matrix((scores, (cols, rows)), shape=by_provider.shape).sum(axis=1)
    ).ravel()
    tie = score_sum / (score_sum.max() + 1.0) * 0.5
    coverable = np.asarray((by_provider > 0).sum(axis=0)).ravel() >= COVER_MIN
    count = np.zeros(len(event_needs))
    invited = np.zeros(len(ids), dtype=bool)
    for p in chosen:
        if p in index:
            invited[index[p]] = True
    count += np.asarray(by_provider[invited].sum(axis=0)).ravel()
    weight = _PROGRESS_WEIGHT
    for _ in range(cap - len(chosen)):
        w = np.where(coverable & (count < COVER_MIN), weight[np.minimum(count, 2).astype(int)], 0.0)
        gain = by_provider @ w
        gain[invited] = -1
        best = int(np.argmax(gain + tie * (gain > 0)))
        if gain[best] <= 0:
            break
        invited[best] = True
        count[by_provider[best].indices] += 1
    fixed = {index[p] for p in chosen if p in index}
    _improve_by_swaps(by_provider, invited, count, coverable, fixed)
    for _ in range(cap - len(chosen) - int(invited.sum()) + len(fixed)):
        gain = by_provider @ (count < depth).astype(float)
        gain[invited] = -1
        best = int(np.argmax(gain + tie * (gain > 0)))
        if gain[best] <= 0:
            break
        invited[best] = True
        count[by_provider[best].indices] += 1
    return chosen + [ids[j] for j in np.flatnonzero(invited) if ids[j] not in chosen]


def _improve_by_swaps(
    by_provider: sp.csr_matrix,
    invited: np.ndarray,
    count: np.ndarray,
    coverable: np.ndarray,
    fixed: set[int],
) -> None:
    """Swap an invited provider for an uninvited one while that covers more needs."""
    for _ in range(200):
        almost = (coverable & (count == COVER_MIN - 1)).astype(float)
        gain = by_provider @ almost
        gain[invited] = -1
        exact = (count == COVER_MIN).astype(float)
        loss = by_provider @ exact
        loss[~invited] = np.inf
        loss[list(fixed)] = np.inf
        add, drop = int(np.argmax(gain)), int(np.argmin(loss))
        if not np.isfinite(loss[drop]) or gain[add] - loss[drop] <= 0:
            return
        trial = count.copy()
        trial[by_provider[drop].indices] -= 1
        trial[by_provider[add].indices] += 1
        before = int(np.sum(coverable & (count >= COVER_MIN)))
        if int(np.sum(coverable & (trial >= COVER_MIN))) <= before:
            return
        invited[drop], invited[add] = False, True
        count[:] = trial
