"""Learning the score's weights from outcomes, per industry domain, and rolling them back.

`fit_weights` grades every matched pair of the active generation by what came of it
(introductions, "not interested", and — through `signals.outcomes_requested` — the
meetings, next steps and ratings events recorded), fits each domain's weights with
`engine.learning.fit_domain`, and keeps every fit as a `WeightSet` with its
evaluation. A fit that beats the weights in use on held-out needs becomes active; a
full re-match then scores with it (`services.matching.engine_config`).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import audit
from core.errors import DomainError
from core.models import Industry, User
from matchmaking import signals
from matchmaking.engine import learning
from matchmaking.engine.config import DEFAULT_NEED_WEIGHTS, DEFAULT_SOLUTION_WEIGHTS
from matchmaking.models import Interest, Match, MatchFeedback, WeightSet

INTEREST_SIGNALS = {
    Interest.Status.PENDING: "interest",
    Interest.Status.ACCEPTED: "accepted",
    Interest.Status.DECLINED: "declined",
}


def active_domain_weights() -> dict[str, dict[str, dict[str, float]]]:
    """The weights in use per domain, as `EngineConfig.domain_weights` takes them."""
    return {
        code: {"need": need, "solution": solution}
        for code, need, solution in WeightSet.objects.filter(active=True).values_list(
            "domain__code", "need_weights", "solution_weights"
        )
    }


def training_pairs(domain: Industry) -> list[learning.Pair]:
    """The domain's matched pairs (from each need's list) with their graded outcome."""
    matches = list(
        Match.objects.active()
        .filter(need__industry=domain, rank_for_need__isnull=False)
        .values_list("need_id", "solution_id", "components")
    )
    need_ids = {need_id for need_id, _s, _c in matches}
    found: dict[tuple[int, int], tuple[list[str], list[int]]] = {}

    def add(key: tuple[int, int], signal: str) -> None:
        found.setdefault(key, ([], []))[0].append(signal)

    for need_id, solution_id, status in Interest.objects.filter(need_id__in=need_ids).values_list(
        "need_id", "solution_id", "status"
    ):
        if status in INTEREST_SIGNALS:
            add((need_id, solution_id), INTEREST_SIGNALS[status])
    for key in MatchFeedback.objects.filter(need_id__in=need_ids).values_list(
        "need_id", "solution_id"
    ):
        add(key, "not_interested")
    for _receiver, answer in signals.outcomes_requested.send(sender=None, need_ids=need_ids):
        for key, (outcome_signals, ratings) in (answer or {}).items():
            signals_of, ratings_of = found.setdefault(key, ([], []))
            signals_of.extend(outcome_signals)
            ratings_of.extend(ratings)
    return [
        learning.Pair(
            need_id,
            solution_id,
            components,
            learning.grade(*found.get((need_id, solution_id), ((), ()))),
        )
        for need_id, solution_id, components in matches
    ]


@transaction.atomic
def fit_weights(*, by: User | None = None, domains=None, **options) -> list[WeightSet]:
    """Fit every domain's weights from its outcomes; adopt the fits that do better.

    `options` go to `engine.learning.fit_domain` (margin, test share …). A full
    re-match is queued when any domain's weights changed.
    """
    from matchmaking.services.matching import start_full_run  # noqa: PLC0415 -- matching reads us

    domains = domains if domains is not None else Industry.objects.order_by("sort_order", "code")
    results = []
    for domain in domains:
        pairs = training_pairs(domain)
        if not pairs:
            continue
        current = WeightSet.objects.select_for_update().filter(domain=domain, active=True).first()
        fit = learning.fit_domain(
            pairs,
            current.need_weights if current else DEFAULT_NEED_WEIGHTS,
            current.solution_weights if current else DEFAULT_SOLUTION_WEIGHTS,
            **options,
        )
        if fit.adopted and current is not None:
            current.active = False
            current.save(update_fields=["active"])
        weight_set = WeightSet.objects.create(
            domain=domain,
            need_weights=fit.need_weights,
            solution_weights=fit.solution_weights,
            evaluation=fit.evaluation(),
            adopted=fit.adopted,
            active=fit.adopted,
            previous=current if fit.adopted else None,
        )
        audit.record(
            by,
            "weights.adopted" if fit.adopted else "weights.rejected",
            weight_set,
            **fit.evaluation(),
        )
        results.append(weight_set)
    if any(w.adopted for w in results):
        transaction.on_commit(lambda: start_full_run(by=by))
    return results


@transaction.atomic
def roll_back_weights(*, by: User, weight_set: WeightSet) -> WeightSet | None:
    """Stop using a domain's active weights; the set they replaced (or the defaults) returns."""
    from matchmaking.services.matching import start_full_run  # noqa: PLC0415

    weight_set = WeightSet.objects.select_for_update().get(pk=weight_set.pk)
    if not weight_set.active:
        raise DomainError(_("Only the weights in use can be rolled back."))
    weight_set.active = False
    weight_set.save(update_fields=["active"])
    restored = weight_set.previous
    if restored is not None:
        restored.active = True
        restored.save(update_fields=["active"])
    audit.record(by, "weights.rolled_back", weight_set, restored=restored.pk if restored else None)
    transaction.on_commit(lambda: start_full_run(by=by))
    return restored
